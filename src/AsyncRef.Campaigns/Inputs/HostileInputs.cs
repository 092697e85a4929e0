using System.Globalization;
using System.Text;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Inputs;

/// <summary>
/// The files of the hostile-input campaign: file <c>i</c> of a seed is always the same. Most are mutations (byte and
/// bit flips, truncation, duplicated, deleted and swapped lines, huge numbers, long names, control characters,
/// invalid UTF-8, deep nesting, a missing <c>end</c>, CR/LF and blank games, foreign tokens) of a corpus file or of a
/// generated scenario; one in eight is a bound of <see cref="ScenarioLimits"/> met exactly or exceeded by one (then
/// perhaps mutated too).
/// </summary>
internal sealed class HostileInputs(int seed, IReadOnlyList<byte[]> corpus, ScenarioLimits limits)
{
    private static readonly string[] s_numbers =
    [
        "2147483647", "2147483648", "-2147483648", "-2147483649", "99999999999999999999999999", "-0", "00000000000000000001",
        "+1", "0x10", "1e3", "-", "4294967296", "18446744073709551616",
    ];

    private static readonly string[] s_tokens =
    [
        "init_thread", "cleanup_thread", "is_capable", "ctx_new", "ctx_free", "start", "pause", "block_pause", "unblock_pause",
        "current_job", "wait_ctx", "arg", "return", "set_wait_fd", "get_fd", "get_all_fds", "get_changed_fds", "clear_fd",
        "set_callback", "get_callback", "call_callback", "set_status", "get_status", "errors", "profile", "1.1.1", "3.0",
        "func", "end", ".", "-", "@", "@T1", "@main", "\"", "\"\"", "#", "ptr0", "cleanup", "OK", "ERR", "EAGAIN",
        "UNSUPPORTED", "F1", "J1", "C1", "K1", "D1", "CB1", "A1", "0", "-1", "@@", "@1",
    ];

    private static readonly byte[][] s_badBytes =
    [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF], [0xC3],
        [0xF0, 0x9F, 0x98], [0x80], [0xFE, 0xFF], "é"u8.ToArray(), "😀"u8.ToArray(), [0xE2, 0x80, 0xAE],
    ];

    private static readonly byte[] s_controls = [0x00, 0x01, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x1B, 0x7F];

    /// <summary>File <paramref name="index"/>: its bytes and what it was made from (for the saved failures).</summary>
    public (byte[] Bytes, string Origin) Get(long index)
    {
        var rng = new Random(ScenarioGenerator.Mix(seed, index));
        byte[] bytes;
        string origin;
        if (rng.Next(8) == 0)
        {
            (bytes, origin) = Bound(rng);
            if (rng.Next(4) != 0)
            {
                return (bytes, origin);
            }
        }
        else if (corpus.Count > 0 && rng.Next(2) == 0)
        {
            int file = rng.Next(corpus.Count);
            (bytes, origin) = (corpus[file], string.Create(CultureInfo.InvariantCulture, $"corpus file {file}"));
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(ScenarioGenerator.Generate(seed, index).ToText("generated"));
            origin = "generated scenario";
        }

        int mutations = 1 + rng.Next(4);
        var names = new List<string>();
        for (int m = 0; m < mutations; m++)
        {
            (bytes, string name) = Mutate(rng, bytes, index);
            names.Add(name);
        }

        return (bytes, origin + ", " + string.Join(", ", names));
    }

    private (byte[] Bytes, string Name) Mutate(Random rng, byte[] bytes, long index)
    {
        List<byte[]> lines = Lines(bytes);
        int at = rng.Next(bytes.Length + 1);
        int line = rng.Next(Math.Max(lines.Count, 1));
        switch (rng.Next(16))
        {
            case 0:
                return (Replace(bytes, at, 1, [(byte)rng.Next(256)]), "byte flip");
            case 1:
                if (bytes.Length > 0)
                {
                    byte[] flipped = [.. bytes];
                    flipped[Math.Min(at, bytes.Length - 1)] ^= (byte)(1 << rng.Next(8));
                    return (flipped, "bit flip");
                }

                return (bytes, "bit flip of nothing");
            case 2:
                return (bytes[..at], "truncation");
            case 3:
                if (lines.Count > 0)
                {
                    int times = 1 + rng.Next(rng.Next(2) == 0 ? 3 : 200);
                    lines.InsertRange(line, Enumerable.Repeat(lines[line], times));
                }

                return (Join(lines), "line duplication");
            case 4:
                if (lines.Count > 0)
                {
                    lines.RemoveAt(line);
                }

                return (Join(lines), "line deletion");
            case 5:
                return (ReplaceToken(rng, bytes, s_numbers[rng.Next(s_numbers.Length)], digitsOnly: rng.Next(2) == 0), "huge number");
            case 6:
                int length = rng.Next(5) switch
                {
                    0 => 255,
                    1 => 1000,
                    2 => limits.MaxLineBytes - 20,
                    3 => limits.MaxLineBytes + 1,
                    _ => 1 + rng.Next(100),
                };
                return (ReplaceToken(rng, bytes, LongName(rng, Math.Max(length, 1)), digitsOnly: false), "long name");
            case 7:
                return (Replace(bytes, at, 0, [s_controls[rng.Next(s_controls.Length)]]), "control character");
            case 8:
                return (Replace(bytes, at, 0, s_badBytes[rng.Next(s_badBytes.Length)]), "invalid or unusual UTF-8");
            case 9:
                return (Replace(bytes, LineStart(lines, line), 0, Nesting(rng)), "deep nesting");
            case 10:
                int end = lines.FindIndex(l => Encoding.UTF8.GetString(l).Trim() == "end");
                if (end >= 0)
                {
                    lines.RemoveAt(end);
                }

                return (Join(lines), "missing end");
            case 11:
                if (lines.Count > 1)
                {
                    int other = rng.Next(lines.Count);
                    (lines[line], lines[other]) = (lines[other], lines[line]);
                }

                return (Join(lines), "line swap");
            case 12:
                byte[] donor = corpus.Count > 0 ? corpus[rng.Next(corpus.Count)] : Encoding.UTF8.GetBytes(ScenarioGenerator.Generate(seed, index + 1).ToText("donor"));
                List<byte[]> donorLines = Lines(donor);
                if (donorLines.Count > 0)
                {
                    lines.Insert(Math.Min(line, lines.Count), donorLines[rng.Next(donorLines.Count)]);
                }

                return (Join(lines), "splice");
            case 13:
                string token = s_tokens[rng.Next(s_tokens.Length)];
                return (Replace(bytes, at, 0, Encoding.UTF8.GetBytes(rng.Next(2) == 0 ? " " + token + " " : token)), "foreign token");
            case 14:
                return rng.Next(3) switch
                {
                    0 => (Join(lines, "\r\n"u8.ToArray()), "CRLF"),
                    1 => (bytes.Select(b => b == '\n' ? (byte)'\r' : b).ToArray(), "CR only"),
                    _ => (bytes.Length > 0 && bytes[^1] == '\n' ? bytes[..^1] : [.. bytes, (byte)'\n', (byte)'\n'], "final LF"),
                };
            default:
                return rng.Next(3) switch
                {
                    0 => (bytes.Select(b => b == ' ' ? (byte)'\t' : b).ToArray(), "tabs"),
                    1 => (Replace(bytes, LineStart(lines, line), 0, Encoding.ASCII.GetBytes(new string(' ', rng.Next(1, 40)))), "leading blanks"),
                    _ => (Replace(bytes, at, 0, "\v\f"u8.ToArray()), "other white space"),
                };
        }
    }

    /// <summary>A bound of <see cref="ScenarioLimits"/> (or a fixed one of the language) met exactly or exceeded by one.</summary>
    private (byte[] Bytes, string Name) Bound(Random rng)
    {
        int over = rng.Next(2);
        string how = over == 1 ? "exceeded by one" : "met exactly";
        var text = new StringBuilder();
        string name;
        switch (rng.Next(10))
        {
            case 0:
                name = "statements";
                text.Insert(0, "is_capable\n", limits.MaxStatements + over);
                break;
            case 1:
                name = "logical threads";
                for (int t = 1; t < limits.MaxThreads + over; t++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"@T{t} is_capable\n");
                }

                break;
            case 2:
                name = "job variables";
                text.Append("func F\n  return 1\nend\n");
                for (int j = 0; j < limits.MaxJobs + over; j++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"start J{j} - F -\n");
                }

                break;
            case 3:
                name = "context variables";
                for (int c = 0; c < limits.MaxContexts + over; c++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"ctx_new C{c}\n");
                }

                break;
            case 4:
                name = "line length";
                text.Append("is_capable\n#").Append('x', limits.MaxLineBytes - 1 + over).Append("\nis_capable\n");
                break;
            case 5:
                name = "file size";
                text.Append("is_capable\n");
                while (text.Length < limits.MaxFileBytes - 100)
                {
                    text.Append('#').Append('y', 98).Append('\n');
                }

                text.Append('#').Append('z', (int)(limits.MaxFileBytes - text.Length - 2 + over)).Append('\n');
                break;
            case 6:
                // Each "N main arg => NULL" line of the body is 18 bytes plus the line number's digits and the LF.
                name = "log size";
                text.Append("func F\n");
                int body = 1 + rng.Next(20);
                for (int b = 0; b < body; b++)
                {
                    text.Append("  arg\n");
                }

                text.Append("end\n");
                int starts = 2 + (int)(limits.MaxLogBytes / (body * 21)) + rng.Next(3);
                for (int s = 0; s < starts && text.Length < limits.MaxFileBytes / 2; s++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"start J{s % Math.Max(limits.MaxJobs, 1)} - F -\n");
                }

                break;
            case 7:
                name = "functions";
                for (int f = 0; f < 64 + over; f++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"func F{f}\nend\n");
                }

                break;
            case 8:
                name = "callback names";
                text.Append("ctx_new C\n");
                for (int c = 0; c < 32 + over; c++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"set_callback C CB{c} A\n");
                }

                break;
            default:
                name = "integers";
                text.Append(over == 1 ? "init_thread 2147483648 0\n" : "init_thread 2147483647 0\n").Append("set_wait_fd C K -2147483648 D -\n");
                break;
        }

        return (Encoding.UTF8.GetBytes(text.ToString()), $"bound: {name} {how}");
    }

    private static byte[] Nesting(Random rng)
    {
        int depth = 1 + rng.Next(rng.Next(2) == 0 ? 10 : 2000);
        var text = new StringBuilder();
        switch (rng.Next(4))
        {
            case 0:
                for (int d = 0; d < depth; d++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"func N{d}\n");
                }

                break;
            case 1:
                for (int d = 0; d < Math.Min(depth, 500); d++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"@T{d} ");
                }

                text.Append("is_capable\n");
                break;
            case 2:
                text.Append('"', depth).Append('\n');
                break;
            default:
                for (int d = 0; d < depth; d++)
                {
                    text.Append("end\n");
                }

                break;
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string LongName(Random rng, int length)
    {
        var name = new StringBuilder(length);
        name.Append((char)('A' + rng.Next(26)));
        while (name.Length < length)
        {
            name.Append(rng.Next(3) == 0 ? '_' : (char)('a' + rng.Next(26)));
        }

        return name.ToString();
    }

    /// <summary>Replaces a random token (a run of digits, or of non-blanks) with <paramref name="replacement"/>, or appends it to a line.</summary>
    private static byte[] ReplaceToken(Random rng, byte[] bytes, string replacement, bool digitsOnly)
    {
        var starts = new List<int>();
        for (int i = 0; i < bytes.Length; i++)
        {
            bool inToken = digitsOnly ? char.IsAsciiDigit((char)bytes[i]) : bytes[i] is not (byte)' ' and not (byte)'\n' and not (byte)'\t';
            bool before = i > 0 && (digitsOnly ? char.IsAsciiDigit((char)bytes[i - 1]) : bytes[i - 1] is not (byte)' ' and not (byte)'\n' and not (byte)'\t');
            if (inToken && !before)
            {
                starts.Add(i);
            }
        }

        byte[] with = Encoding.UTF8.GetBytes(replacement);
        if (starts.Count == 0)
        {
            return [.. bytes, .. " "u8, .. with, (byte)'\n'];
        }

        int start = starts[rng.Next(starts.Count)];
        int stop = start;
        while (stop < bytes.Length && (digitsOnly ? char.IsAsciiDigit((char)bytes[stop]) : bytes[stop] is not (byte)' ' and not (byte)'\n' and not (byte)'\t'))
        {
            stop++;
        }

        return Replace(bytes, start, stop - start, with);
    }

    private static byte[] Replace(byte[] bytes, int at, int remove, byte[] insert)
    {
        at = Math.Clamp(at, 0, bytes.Length);
        remove = Math.Min(remove, bytes.Length - at);
        return [.. bytes.AsSpan(0, at), .. insert, .. bytes.AsSpan(at + remove)];
    }

    private static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        if (start < bytes.Length)
        {
            lines.Add(bytes[start..]);
        }

        return lines;
    }

    private static byte[] Join(List<byte[]> lines, byte[]? separator = null)
    {
        var joined = new List<byte>();
        foreach (byte[] line in lines)
        {
            joined.AddRange(line);
            joined.AddRange(separator ?? [(byte)'\n']);
        }

        return [.. joined];
    }

    private static int LineStart(List<byte[]> lines, int line)
    {
        int at = 0;
        for (int i = 0; i < Math.Min(line, lines.Count); i++)
        {
            at += lines[i].Length + 1;
        }

        return at;
    }
}
