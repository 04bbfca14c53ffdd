using System.Runtime.InteropServices;

namespace OtelLlm.LoadGen.Measurement;

/// <summary>What the numbers were measured on.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, double MemoryGiB, string Runtime, string Os, string LoadAverage)
{
    public static MachineInfo Read()
    {
        var cpu = "unknown";
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                    break;
                }
            }
        }
        catch (IOException)
        {
        }

        double memory = 0;
        try
        {
            var total = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memory = double.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024;
        }
        catch (IOException)
        {
        }

        return new MachineInfo(cpu, Environment.ProcessorCount, Math.Round(memory, 1), RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription, LoadAverageNow());
    }

    public static string LoadAverageNow()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
