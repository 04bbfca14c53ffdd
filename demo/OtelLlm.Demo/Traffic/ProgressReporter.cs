using System.Diagnostics;
using System.Globalization;

namespace OtelLlm.Demo.Traffic;

/// <summary>
/// Shows how far generation is: one line redrawn in place on a terminal, or a line per tenth of the work when the
/// output is a log file or a CI console, where carriage returns would pile up.
/// </summary>
internal sealed class ProgressReporter(TextWriter output, bool interactive, int target)
{
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = -1000;
    private int _lastTenth;
    private int _lastPrinted = -1;

    public void Report(int calls, int errors)
    {
        lock (_lock)
        {
            if (interactive)
            {
                if (_clock.ElapsedMilliseconds - _lastDraw < 100 && calls < target)
                {
                    return;
                }

                _lastDraw = _clock.ElapsedMilliseconds;
                output.Write("\r" + Line(calls, errors));
                output.Flush();
                return;
            }

            var tenth = Math.Min(10, calls * 10 / Math.Max(1, target));
            if (tenth > _lastTenth)
            {
                _lastTenth = tenth;
                _lastPrinted = calls;
                output.WriteLine(Line(calls, errors));
            }
        }
    }

    public void Complete(int calls, int errors)
    {
        lock (_lock)
        {
            if (interactive)
            {
                output.WriteLine("\r" + Line(calls, errors));
            }
            else if (calls != _lastPrinted)
            {
                output.WriteLine(Line(calls, errors));
            }
        }
    }

    private string Line(int calls, int errors)
    {
        // Tool round trips and calls already in flight at the target can take the count a little past it.
        var goal = Math.Max(calls, target);
        var filled = calls * 24 / Math.Max(1, goal);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"  [{new string('#', filled)}{new string('.', 24 - filled)}] {calls,5}/{goal} calls  {errors,3} errors  {_clock.Elapsed.TotalSeconds,5:0.0}s");
    }
}
