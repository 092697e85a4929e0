using System.Diagnostics;
using System.Globalization;
using AsyncRef.Traces.Replay;

namespace AsyncRef.Traces.Symbols;

/// <summary>
/// Turns recorded return addresses into call sites. The trace's MODULE records give each executable mapping;
/// an address becomes <c>module+0xOFFSET</c>, and <c>addr2line</c> (binutils) turns it into <c>file:line</c> when
/// the module has debug information. Only the few addresses named in findings are resolved, after the replay.
/// Assumes, as GNU ld lays out ELF files, that a loadable segment's file offset equals its virtual address.
/// </summary>
internal sealed class CallSites
{
    private readonly List<Module> _modules = [];

    private sealed record Module(ulong Start, ulong End, ulong Offset, string Path);

    internal void AddModule(ulong start, ulong end, ulong offset, string path) => _modules.Add(new Module(start, end, offset, path));

    /// <summary>The placeholder a finding carries until <see cref="Resolve"/>: the raw address.</summary>
    internal static string Raw(ulong address) => address == 0 ? "" : $"0x{address:x}";

    /// <summary>Replaces each finding's raw call site by its symbolised form.</summary>
    internal void Resolve(List<Finding> findings)
    {
        var cache = new Dictionary<string, string>();
        for (int i = 0; i < findings.Count; i++)
        {
            string raw = findings[i].Site;
            if (!raw.StartsWith("0x", StringComparison.Ordinal))
            {
                continue;
            }

            if (!cache.TryGetValue(raw, out string? resolved))
            {
                cache[raw] = resolved = Symbolise(ulong.Parse(raw.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }

            findings[i] = findings[i] with { Site = resolved };
        }
    }

    private string Symbolise(ulong address)
    {
        Module? module = _modules.LastOrDefault(m => address >= m.Start && address < m.End);
        if (module is null)
        {
            return $"0x{address:x}";
        }

        ulong fileAddress = address - module.Start + module.Offset;
        string where = $"{System.IO.Path.GetFileName(module.Path)}+0x{fileAddress:x}";
        string? line = LineOf(module.Path, fileAddress - 1);
        return line is null ? where : $"{line} ({where})";
    }

    /// <summary><c>file:line</c> of an address in a module, or null when there is no debug information or no addr2line.</summary>
    private static string? LineOf(string module, ulong address)
    {
        if (!File.Exists(module))
        {
            return null;
        }

        try
        {
            var start = new ProcessStartInfo("addr2line")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(module);
            start.ArgumentList.Add($"0x{address:x}");
            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(5000))
            {
                process.Kill();
                return null;
            }

            string text = output.Result.Trim();
            int colon = text.LastIndexOf(':');
            if (text.Length == 0 || text.StartsWith("??", StringComparison.Ordinal) || colon < 0 || text.AsSpan(colon + 1).StartsWith("?"))
            {
                return null;
            }

            // "file:line (discriminator N)" -> "file:line"
            int space = text.IndexOf(" (", StringComparison.Ordinal);
            return space > 0 ? text[..space] : text;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
