using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Tests;

/// <summary>Builds trace files for tests and runs the trace commands on them.</summary>
internal static class TraceFiles
{
    internal static string Temp(string name) =>
        Path.Combine(Directory.CreateTempSubdirectory("asyncref-traces-").FullName, name);

    /// <summary>Writes a trace with <paramref name="build"/>; <paramref name="end"/> adds the END record.</summary>
    internal static string Write(Action<TraceWriter> build, bool end = true)
    {
        string path = Temp("test.trace");
        using (var writer = new TraceWriter(File.Create(path), "test program"))
        {
            build(writer);
            if (end)
            {
                writer.End();
            }
        }

        return path;
    }

    internal static (int Exit, string Out, string Err) Check(string path, bool json = false, bool checkedMode = false)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = TraceTools.Check(path, new TraceCheckOptions { Json = json, CheckedMode = checkedMode }, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    internal static (int Exit, string Out, string Err) ToScenario(string path)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = TraceTools.ToScenario(path, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A small conforming run on thread 0: a job sets an fd, pauses, is resumed and finishes; the ctx is freed.</summary>
    internal static void PauseOnce(TraceWriter w)
    {
        const ulong site = 0x1000, ctx = 0x5000, job = 0x6000, slot = 0x7000, key = 0x8000;
        w.Call(0, TraceFunction.CtxNew, site);
        w.Return(0, TraceFunction.CtxNew, ctx);
        w.Call(0, TraceFunction.StartJob, site, slot, 0, ctx, 0x7100, 0x400, 0, 0);
        w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [0x400, 0]);
        w.Call(0, TraceFunction.SetWaitFd, site, ctx, key, 9, 0, 0x401);
        w.Return(0, TraceFunction.SetWaitFd, 1);
        w.Call(0, TraceFunction.PauseJob, site);
        w.Return(0, TraceFunction.StartJob, 2, job, 0);
        w.Call(0, TraceFunction.GetAllFds, site, ctx, 0x7200, 0x7300);
        w.Return(0, TraceFunction.GetAllFds, 1, 1, 9);
        w.Call(0, TraceFunction.StartJob, site, slot, job, ctx, 0x7100, 0x400, 0, 0);
        w.Return(0, TraceFunction.PauseJob, 1);
        w.Write(RecordKind.BodyReturn, TraceFunction.None, 0, [42]);
        w.Return(0, TraceFunction.StartJob, 3, 0, 42);
        w.Call(0, TraceFunction.CtxFree, site, ctx);
        w.Write(RecordKind.CleanupEnter, TraceFunction.None, 0, [ctx, key, 9, 0]);
        w.Write(RecordKind.CleanupReturn, TraceFunction.None, 0, []);
        w.Return(0, TraceFunction.CtxFree, 0);
    }
}
