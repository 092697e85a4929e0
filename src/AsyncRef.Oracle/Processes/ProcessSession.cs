using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AsyncRef.Oracle.Processes;

/// <summary>
/// Sessions of their own for implementation runs (<c>setsid</c>), and killing everything in one: the process group,
/// then every other member of the session found in <c>/proc</c> (Linux).
/// </summary>
internal static class ProcessSession
{
    /// <summary><c>setsid</c>, if it is on PATH: it runs each implementation as the leader of a session of its own.</summary>
    internal static readonly string? Setsid = ProgramPath.FindOnPath("setsid");

    /// <summary>
    /// The process groups of the runs in progress. A session of its own does not get the terminal's Ctrl-C, so they
    /// are killed if this process ends (normally, or on SIGINT/SIGTERM) while a run is in progress.
    /// </summary>
    private static readonly HashSet<int> s_activeGroups = [];

    static ProcessSession() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (s_activeGroups)
        {
            foreach (int group in s_activeGroups)
            {
                _ = NativeMethods.Kill(-group, NativeMethods.Sigkill);
            }
        }
    };

    /// <summary>Whether runs get a session of their own.</summary>
    internal static bool Available => Setsid is not null;

    internal static void Track(int group)
    {
        lock (s_activeGroups)
        {
            s_activeGroups.Add(group);
        }
    }

    internal static void Untrack(int group)
    {
        lock (s_activeGroups)
        {
            s_activeGroups.Remove(group);
        }
    }

    /// <summary>Kills the run: its session and process group when it has its own, else the process tree while it lives.</summary>
    internal static void KillEverything(Process process, bool ownSession)
    {
        if (ownSession)
        {
            // The group first (one system call for the usual case), then any other member of the session: a process
            // that moved to another group of it. Repeat while something was found: one may have forked meanwhile.
            int id = process.Id;
            _ = NativeMethods.Kill(-id, NativeMethods.Sigkill);
            for (int round = 0; round < 10 && KillSessionMembers(id) > 0; round++)
            {
            }
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited in the meantime.
        }

        process.WaitForExit();
    }

    /// <summary>Kills every process (Linux: read from /proc) whose session id is <paramref name="session"/>; returns how many.</summary>
    private static int KillSessionMembers(int session)
    {
        int killed = 0;
        string[] entries;
        try
        {
            entries = Directory.GetDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        string sessionText = session.ToString(CultureInfo.InvariantCulture);
        foreach (string entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(entry, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone meanwhile, or not ours
            }

            // "pid (comm) state ppid pgrp session ...": comm may hold anything, so count fields after its last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && fields[0] != "Z" && fields[3] == sessionText && NativeMethods.Kill(pid, NativeMethods.Sigkill) == 0)
            {
                killed++;
            }
        }

        return killed;
    }

    private static class NativeMethods
    {
        public const int Sigkill = 9;

        /// <summary>kill(2): a negative pid names a process group.</summary>
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
