using System.Text.RegularExpressions;

namespace OtelLlm.Receiver.Tests.Architecture;

/// <summary>
/// The receiver's top-level folders name the stages of the data's path, and a stage only uses the stages after it: no
/// two stages may use each other, directly or around a cycle (a stage's own subfolders are one unit, like
/// <c>Otlp/Grpc</c> in <c>Otlp</c>). A folder uses another when one of its files names a type declared there (comments
/// and string literals aside) or imports its namespace.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly Lazy<FolderGraph> s_graph = new(() => FolderGraph.Read(ReceiverSourceRoot()));

    [Fact]
    public void Stages_UseEachOtherWithoutCycles()
    {
        var cycles = s_graph.Value.Stages().Cycles();
        Assert.True(cycles.Count == 0, "folders that use each other: " + string.Join("; ", cycles.Select(c => string.Join(" -> ", c))) + "\n" + s_graph.Value.Describe());
    }

    [Fact]
    public void Decoding_UsesNothingElseInTheReceiver()
        => Assert.Empty(s_graph.Value.Uses("Decoding"));

    [Fact]
    public void Normalization_UsesOnlyDecodingAndDiagnostics()
        => Assert.All(s_graph.Value.Uses("Normalization"), used => Assert.True(used.StartsWith("Normalization/", StringComparison.Ordinal) || used is "Decoding" or "Diagnostics", "Normalization uses " + used));

    [Fact]
    public void CompositionRoot_IsUsedByNoStage()
    {
        var graph = s_graph.Value;
        foreach (var folder in graph.Folders.Where(f => f.Length > 0))
        {
            Assert.DoesNotContain(string.Empty, graph.Uses(folder));
        }
    }

    [Fact]
    public void Graph_SeesTheKnownDependencies()
    {
        // Proves the reading works: these uses exist and must be found.
        var graph = s_graph.Value;
        Assert.Contains("Decoding", graph.Uses("Normalization"));
        Assert.Contains("Otlp", graph.Uses("Otlp/Grpc"));
        Assert.Contains("Pipeline", graph.Uses("RowEncoding"));
        Assert.Contains("Otlp/Grpc", graph.Uses(string.Empty));
    }

    private static string ReceiverSourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "receiver", "OtelLlm.Receiver");
            if (File.Exists(Path.Combine(dir.FullName, "OtelLlm.slnx")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The receiver's sources were not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Which receiver folder (relative path, "" for the project root) uses which.</summary>
    private sealed partial class FolderGraph
    {
        private readonly Dictionary<string, SortedSet<string>> _uses = [];

        public IEnumerable<string> Folders => _uses.Keys;

        public SortedSet<string> Uses(string folder) => _uses.TryGetValue(folder, out var set) ? set : new SortedSet<string>(StringComparer.Ordinal);

        public static FolderGraph Read(string root)
        {
            var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(Path.GetRelativePath(root, f)))
                .Select(f => (Folder: Folder(root, f), Code: StripCommentsAndStrings(File.ReadAllText(f))))
                .ToList();

            // Type name -> the one folder declaring it; names declared in two folders are ambiguous and not followed.
            // Only top-level types: nested ones are named through their outer type (and often share a name with a
            // property, such as a Request class nested in a vocabulary and HttpContext.Request).
            var declaredIn = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (folder, code) in files)
            {
                var topLevelDepth = FileScopedNamespace().IsMatch(code) ? 0 : 1;
                foreach (Match m in Declaration().Matches(code))
                {
                    if (BraceDepth(code, m.Index) != topLevelDepth)
                    {
                        continue;
                    }

                    var name = m.Groups["name"].Value;
                    declaredIn[name] = declaredIn.TryGetValue(name, out var other) && other != folder ? null : folder;
                }
            }

            var graph = new FolderGraph();
            foreach (var (folder, code) in files)
            {
                var uses = graph.Set(folder);
                foreach (Match m in Identifier().Matches(code))
                {
                    if (declaredIn.TryGetValue(m.Value, out var target) && target is not null && target != folder)
                    {
                        uses.Add(target);
                    }
                }

                foreach (Match m in ReceiverUsing().Matches(code))
                {
                    // A namespace, or (using static) a type in one: the longest prefix that is a folder.
                    var target = m.Groups["ns"].Value.Replace('.', '/');
                    while (target.Length > 0 && !Directory.Exists(Path.Combine(root, target)))
                    {
                        var cut = target.LastIndexOf('/');
                        target = cut < 0 ? string.Empty : target[..cut];
                    }

                    if (target.Length > 0 && target != folder)
                    {
                        uses.Add(target);
                    }
                }
            }

            return graph;
        }

        /// <summary>Every cycle's folders (strongly connected components of more than one folder).</summary>
        public List<List<string>> Cycles()
        {
            var index = 0;
            var stack = new Stack<string>();
            var indexes = new Dictionary<string, int>();
            var low = new Dictionary<string, int>();
            var onStack = new HashSet<string>();
            var result = new List<List<string>>();

            void Visit(string v)
            {
                indexes[v] = low[v] = index++;
                stack.Push(v);
                onStack.Add(v);
                foreach (var w in Uses(v))
                {
                    if (!indexes.TryGetValue(w, out var wIndex))
                    {
                        Visit(w);
                        low[v] = Math.Min(low[v], low[w]);
                    }
                    else if (onStack.Contains(w))
                    {
                        low[v] = Math.Min(low[v], wIndex);
                    }
                }

                if (low[v] == indexes[v])
                {
                    var component = new List<string>();
                    string w;
                    do
                    {
                        w = stack.Pop();
                        onStack.Remove(w);
                        component.Add(w);
                    }
                    while (w != v);

                    if (component.Count > 1)
                    {
                        component.Sort(StringComparer.Ordinal);
                        result.Add(component);
                    }
                }
            }

            foreach (var folder in _uses.Keys.Order(StringComparer.Ordinal).ToList())
            {
                if (!indexes.ContainsKey(folder))
                {
                    Visit(folder);
                }
            }

            return result;
        }

        /// <summary>The graph of top-level folders: a subfolder's uses count as its stage's, uses inside a stage vanish.</summary>
        public FolderGraph Stages()
        {
            static string StageOf(string folder) => folder.Split('/')[0];
            var stages = new FolderGraph();
            foreach (var (folder, uses) in _uses)
            {
                var set = stages.Set(StageOf(folder));
                foreach (var used in uses)
                {
                    if (StageOf(used) != StageOf(folder))
                    {
                        set.Add(StageOf(used));
                    }
                }
            }

            return stages;
        }

        public string Describe()
            => string.Join("\n", _uses.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"  {(u.Key.Length == 0 ? "(root)" : u.Key)} -> {string.Join(", ", u.Value.Select(v => v.Length == 0 ? "(root)" : v))}"));

        private SortedSet<string> Set(string folder)
        {
            if (!_uses.TryGetValue(folder, out var set))
            {
                _uses[folder] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            return set;
        }

        private static int BraceDepth(string code, int end)
        {
            var depth = 0;
            foreach (var c in code.AsSpan(0, end))
            {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }

            return depth;
        }

        private static bool IsBuildOutput(string relative)
            => relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

        private static string Folder(string root, string file)
            => (Path.GetDirectoryName(Path.GetRelativePath(root, file)) ?? string.Empty).Replace(Path.DirectorySeparatorChar, '/');

        /// <summary>Code without comments, string and character literals, so only code names types.</summary>
        private static string StripCommentsAndStrings(string code) => CommentOrLiteral().Replace(code, m => m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : "\"\"");

        [GeneratedRegex(@"\b(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>?,\s\[\]]+?)\s+(?<name>[A-Z]\w*)")]
        private static partial Regex Declaration();

        [GeneratedRegex(@"^\s*namespace\s+[\w.]+\s*;", RegexOptions.Multiline)]
        private static partial Regex FileScopedNamespace();

        [GeneratedRegex(@"\b[A-Z]\w*\b")]
        private static partial Regex Identifier();

        [GeneratedRegex(@"^\s*using\s+(?:static\s+)?OtelLlm\.Receiver\.(?<ns>[\w.]+)\s*;", RegexOptions.Multiline)]
        private static partial Regex ReceiverUsing();

        [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|\$?""""""[\s\S]*?""""""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
        private static partial Regex CommentOrLiteral();
    }
}
