using BenchmarkDotNet.Running;
using OtelLlm.Benchmarks;

// Examples: `--filter *` (everything), `--filter *ChatClient*`, `--list flat`.
BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, new BenchConfig());
