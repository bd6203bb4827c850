namespace Fme.MLNet.Imaging;

/// <summary>Runs independent rows in parallel when there is enough work to pay for the threads.</summary>
internal static class ParallelRows
{
    // Below about this many values per call, thread hand-off costs more than it saves.
    private const long MinParallelWork = 1 << 16;

    public static void For(int rows, long totalWork, Action<int> row)
    {
        if (totalWork < MinParallelWork || rows < 2 || Environment.ProcessorCount < 2)
        {
            for (var i = 0; i < rows; i++)
            {
                row(i);
            }
            return;
        }
        Parallel.For(0, rows, row);
    }
}
