namespace AsyncRef.Scenarios.Tests;

/// <summary>The log comparer: the contract's rules (compare only up to the reference's first UB line) and the verdicts.</summary>
public sealed class ComparerTests
{
    private static readonly ScenarioLog Clean = new(["1 main ctx_new => ok", "2 main is_capable => 1", "3 main pause => 1"], null);

    private static readonly ScenarioLog WithUb = new(
        ["1 main ctx_new => ok", "2 main is_capable => 1", "3 main start => UB UB-NESTED-START a job is running"], 2);

    private static ImplementationRun Exited(int code, string stdout, string stderr = "") => new(code, stdout, stderr, false);

    [Fact]
    public void EqualOutput_IsAMatch()
    {
        LogComparison c = LogComparer.Compare(Clean, Exited(0, "1 main ctx_new => ok\n2 main is_capable => 1\n3 main pause => 1\n"));

        Assert.Equal(ComparisonVerdict.Match, c.Verdict);
        Assert.True(c.IsSuccess);
        Assert.Null(c.Line);
    }

    [Fact]
    public void DifferentLine_IsADivergence_WithLineNumberAndBothLines()
    {
        LogComparison c = LogComparer.Compare(Clean, Exited(0, "1 main ctx_new => ok\n2 main is_capable => 0\n3 main pause => 1\n"));

        Assert.Equal(ComparisonVerdict.Divergence, c.Verdict);
        Assert.False(c.IsSuccess);
        Assert.Equal(2, c.Line);
        Assert.Equal("2 main is_capable => 1", c.ReferenceLine);
        Assert.Equal("2 main is_capable => 0", c.OtherLine);
        Assert.Contains("line 2", c.Message);
    }

    [Fact]
    public void ShorterOrLongerOutput_IsADivergence()
    {
        LogComparison shorter = LogComparer.Compare(Clean, Exited(0, "1 main ctx_new => ok\n"));
        LogComparison longer = LogComparer.Compare(Clean, Exited(0, "1 main ctx_new => ok\n2 main is_capable => 1\n3 main pause => 1\n4 main pause => 1\n"));

        Assert.Equal((ComparisonVerdict.Divergence, 2, "2 main is_capable => 1", (string?)null), (shorter.Verdict, shorter.Line!.Value, shorter.ReferenceLine, shorter.OtherLine));
        Assert.Equal((ComparisonVerdict.Divergence, 4, (string?)null, "4 main pause => 1"), (longer.Verdict, longer.Line!.Value, longer.ReferenceLine, longer.OtherLine));
    }

    [Fact]
    public void MissingFinalNewline_OrCarriageReturns_AreDivergences()
    {
        Assert.Equal(ComparisonVerdict.Divergence, LogComparer.Compare(Clean, Exited(0, "1 main ctx_new => ok\n2 main is_capable => 1\n3 main pause => 1")).Verdict);
        Assert.Equal(ComparisonVerdict.Divergence, LogComparer.Compare(Clean, Exited(0, "1 main ctx_new => ok\r\n2 main is_capable => 1\r\n3 main pause => 1\r\n")).Verdict);
    }

    [Fact]
    public void ReferenceUb_ComparesOnlyTheLinesBefore_WhateverTheOtherDidAfter()
    {
        const string prefix = "1 main ctx_new => ok\n2 main is_capable => 1\n";
        LogComparison crashed = LogComparer.Compare(WithUb, Exited(139, prefix));
        LogComparison carriedOn = LogComparer.Compare(WithUb, Exited(0, prefix + "3 main start => ERR\n4 main errors => []\n"));
        LogComparison hungAtIt = LogComparer.Compare(WithUb, new ImplementationRun(-1, prefix + "3 main start => ", "", TimedOut: true));
        LogComparison resumedAJobThere = LogComparer.Compare(WithUb, Exited(139, prefix + "7 main pause => 1\n"));

        foreach (LogComparison c in new[] { crashed, carriedOn, hungAtIt, resumedAJobThere })
        {
            Assert.Equal(ComparisonVerdict.StoppedAtUb, c.Verdict);
            Assert.True(c.IsSuccess);
            Assert.Equal(3, c.Line);
            Assert.Equal("3 main start => UB UB-NESTED-START a job is running", c.ReferenceLine);
        }

        Assert.Equal("3 main start => ERR", carriedOn.OtherLine);
    }

    [Fact]
    public void ReferenceUbOnTheFirstLine_PassesOnlyIfTheImplementationReachedIt()
    {
        // Before: with UB on line 1 nothing was compared, so a hang, a failure to start or garbage all passed.
        var firstLineUb = new ScenarioLog(["4 main start => UB UB-NULL-FUNC a new job needs a function"], 0);

        LogComparison hung = LogComparer.Compare(firstLineUb, new ImplementationRun(-1, "", "", TimedOut: true));
        LogComparison notStarted = LogComparer.Compare(firstLineUb, Exited(127, "", "sh: adapter: not found\n"));
        LogComparison garbage = LogComparer.Compare(firstLineUb, Exited(0, "\u001B[2J hello\n"));
        LogComparison segfaultThere = LogComparer.Compare(firstLineUb, Exited(139, ""));
        LogComparison printedIt = LogComparer.Compare(firstLineUb, Exited(0, "4 main start => UB UB-NULL-FUNC whatever\n"));

        Assert.Equal(ComparisonVerdict.Timeout, hung.Verdict);
        Assert.Equal(ComparisonVerdict.OtherCrashed, notStarted.Verdict);
        Assert.Equal(ComparisonVerdict.Divergence, garbage.Verdict);
        Assert.Equal(ComparisonVerdict.StoppedAtUb, segfaultThere.Verdict);
        Assert.Equal(ComparisonVerdict.StoppedAtUb, printedIt.Verdict);
    }

    [Fact]
    public void ReferenceUb_HangingAfterEveryLineBeforeIt_WithoutALineOfTheCall_IsATimeout()
    {
        LogComparison hung = LogComparer.Compare(WithUb, new ImplementationRun(-1, "1 main ctx_new => ok\n2 main is_capable => 1\n", "", TimedOut: true));

        Assert.Equal(ComparisonVerdict.Timeout, hung.Verdict);
        Assert.Equal(3, hung.Line);
    }

    [Fact]
    public void ACrashThatAlsoDiverges_IsACrash_WithTheDifferenceInTheMessage()
    {
        // Before: a different line made it a divergence, and the signal went unreported.
        LogComparison c = LogComparer.Compare(Clean, Exited(139, "1 main ctx_new => ok\n2 main is_capable => 0\n"));
        LogComparison hung = LogComparer.Compare(Clean, new ImplementationRun(-1, "1 main ctx_new => ok\n2 main is_capable => 0\n", "", TimedOut: true));

        Assert.Equal(ComparisonVerdict.OtherCrashed, c.Verdict);
        Assert.Equal(2, c.Line);
        Assert.Contains("status 139", c.Message);
        Assert.Contains("line 2 differs", c.Message);
        Assert.Equal("2 main is_capable => 0", c.OtherLine);
        Assert.Equal(ComparisonVerdict.Timeout, hung.Verdict);
        Assert.Contains("line 2 differs", hung.Message);
    }

    [Fact]
    public void ReferenceUb_ADifferenceBeforeIt_IsStillADivergence()
    {
        LogComparison c = LogComparer.Compare(WithUb, Exited(0, "1 main ctx_new => ok\n2 main is_capable => 0\n3 main start => ERR\n"));

        Assert.Equal(ComparisonVerdict.Divergence, c.Verdict);
        Assert.Equal(2, c.Line);
    }

    [Fact]
    public void ReferenceUb_OtherCrashingBeforeReachingIt_IsACrash()
    {
        LogComparison c = LogComparer.Compare(WithUb, Exited(134, "1 main ctx_new => ok\n", "Aborted\n"));

        Assert.Equal(ComparisonVerdict.OtherCrashed, c.Verdict);
        Assert.Equal(2, c.Line);
        Assert.Contains("134", c.Message);
    }

    [Fact]
    public void Crash_WithoutReferenceUb_IsACrash_EvenAfterEveryLineMatched()
    {
        LogComparison early = LogComparer.Compare(Clean, Exited(139, "1 main ctx_new => ok\n"));
        LogComparison late = LogComparer.Compare(Clean, Exited(139, "1 main ctx_new => ok\n2 main is_capable => 1\n3 main pause => 1\n"));
        LogComparison cutOff = LogComparer.Compare(Clean, Exited(139, "1 main ctx_new => ok\n2 main is_ca"));

        Assert.Equal((ComparisonVerdict.OtherCrashed, 2), (early.Verdict, early.Line!.Value));
        Assert.Equal((ComparisonVerdict.OtherCrashed, 4), (late.Verdict, late.Line!.Value));
        Assert.Equal((ComparisonVerdict.OtherCrashed, 2), (cutOff.Verdict, cutOff.Line!.Value));
        Assert.False(late.IsSuccess);
    }

    [Fact]
    public void Timeout_IsReported()
    {
        LogComparison c = LogComparer.Compare(Clean, new ImplementationRun(-1, "1 main ctx_new => ok\n", "", TimedOut: true));

        Assert.Equal(ComparisonVerdict.Timeout, c.Verdict);
        Assert.Equal(2, c.Line);
        Assert.False(c.IsSuccess);
    }

    [Fact]
    public void ExitStatus3_IsASkippedProfile_ExitStatus2_IsAParseError()
    {
        LogComparison skipped = LogComparer.Compare(Clean, Exited(3, "", "adapter: profile 1.1.1 is not supported\n"));
        LogComparison rejected = LogComparer.Compare(Clean, Exited(2, "", "t.scn:4: unknown statement 'x'\n"));

        Assert.Equal(ComparisonVerdict.SkippedProfile, skipped.Verdict);
        Assert.True(skipped.IsSuccess);
        Assert.Contains("1.1.1", skipped.Message);
        Assert.Equal(ComparisonVerdict.OtherParseError, rejected.Verdict);
        Assert.False(rejected.IsSuccess);
        Assert.Contains("t.scn:4:", rejected.Message);
    }

    [Fact]
    public void Golden_IsComparedWhole_UbLineIncluded()
    {
        const string golden = "1 main ctx_new => ok\n2 main is_capable => 1\n3 main start => UB UB-NESTED-START a job is running\n";

        Assert.Equal(ComparisonVerdict.Match, LogComparer.CompareWithGolden(WithUb, golden).Verdict);

        LogComparison other = LogComparer.CompareWithGolden(WithUb, golden.Replace("a job is running", "something else", StringComparison.Ordinal));
        Assert.Equal((ComparisonVerdict.Divergence, 3), (other.Verdict, other.Line!.Value));
        Assert.Equal("3 main start => UB UB-NESTED-START something else", other.OtherLine);

        Assert.Equal(ComparisonVerdict.Divergence, LogComparer.CompareWithGolden(WithUb, golden.TrimEnd('\n')).Verdict);
        Assert.Equal(ComparisonVerdict.Divergence, LogComparer.CompareWithGolden(WithUb, golden + "4 main pause => 1\n").Verdict);
        Assert.Equal(ComparisonVerdict.Divergence, LogComparer.CompareWithGolden(WithUb, "").Verdict);
    }

    [Fact]
    public void EmptyReferenceLog_MatchesOnlyEmptyOutput()
    {
        var empty = new ScenarioLog([], null);

        Assert.Equal(ComparisonVerdict.Match, LogComparer.Compare(empty, Exited(0, "")).Verdict);
        Assert.Equal(ComparisonVerdict.Divergence, LogComparer.Compare(empty, Exited(0, "x\n")).Verdict);
        Assert.Equal(ComparisonVerdict.Match, LogComparer.CompareWithGolden(empty, "").Verdict);
    }

    [Fact]
    public void InvalidUtf8InTheOutput_NeverMatches_NotEvenAReplacementCharacter()
    {
        // A lenient decoder turns the byte 0xFF into U+FFFD, which would equal a reference line holding U+FFFD.
        var reference = new ScenarioLog(["2 main arg => \"\uFFFD\""], null);
        byte[] output = [.. "2 main arg => \""u8, 0xFF, .. "\"\n"u8];

        LogComparison c = LogComparer.Compare(reference, new ImplementationRun(0, output, "", false));

        Assert.Equal(ComparisonVerdict.Divergence, c.Verdict);
        Assert.Equal(1, c.Line);
        Assert.Equal("2 main arg => \"\\xFF\"", c.OtherLine);
        Assert.Contains("not valid UTF-8", c.Message);
        Assert.Equal(ComparisonVerdict.Match, LogComparer.Compare(reference, Exited(0, "2 main arg => \"\uFFFD\"\n")).Verdict);
    }

    [Fact]
    public void InvalidUtf8AfterTheReferencesUb_IsNotCompared()
    {
        // The line at the UB point is the undefined call's (its thread's), whatever its result holds.
        byte[] output = [.. "1 main ctx_new => ok\n2 main is_capable => 1\n3 main start => "u8, 0xC0, 0xAF, (byte)'\n'];

        Assert.Equal(ComparisonVerdict.StoppedAtUb, LogComparer.Compare(WithUb, new ImplementationRun(139, output, "", false)).Verdict);
    }

    [Fact]
    public void OutputOverTheLimit_IsItsOwnVerdict()
    {
        var run = new ImplementationRun(-1, "1 main ctx_new => ok\n", "", false) { OutputLimitExceeded = true };

        LogComparison c = LogComparer.Compare(Clean, run);

        Assert.Equal(ComparisonVerdict.OutputTooLarge, c.Verdict);
        Assert.False(c.IsSuccess);
    }

    [Fact]
    public void AProcessLeftRunning_FailsAGoodComparison_AndIsNotedOnABadOne()
    {
        const string good = "1 main ctx_new => ok\n2 main is_capable => 1\n3 main pause => 1\n";
        LogComparison left = LogComparer.Compare(Clean, new ImplementationRun(0, good, "", false) { LeftRunning = true });
        LogComparison bad = LogComparer.Compare(Clean, new ImplementationRun(0, "1 main ctx_new => ok\n", "", false) { LeftRunning = true });

        Assert.Equal(ComparisonVerdict.LeftRunning, left.Verdict);
        Assert.False(left.IsSuccess);
        Assert.Equal(ComparisonVerdict.Divergence, bad.Verdict);
        Assert.Contains("could not be killed", bad.Message);
    }

    [Fact]
    public void Golden_IsComparedAsBytes()
    {
        const string golden = "1 main ctx_new => ok\n2 main is_capable => 1\n3 main pause => 1\n";

        Assert.Equal(ComparisonVerdict.Match, LogComparer.CompareWithGolden(Clean, System.Text.Encoding.UTF8.GetBytes(golden)).Verdict);
        LogComparison bom = LogComparer.CompareWithGolden(Clean, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(golden)]);
        Assert.Equal((ComparisonVerdict.Divergence, 1), (bom.Verdict, bom.Line!.Value));
        LogComparison invalid = LogComparer.CompareWithGolden(Clean, [.. "1 main ctx_new => ok\n2 main is_capable => "u8, 0xFF, .. "\n3 main pause => 1\n"u8]);
        Assert.Equal((ComparisonVerdict.Divergence, 2), (invalid.Verdict, invalid.Line!.Value));
        Assert.Contains("not valid UTF-8", invalid.Message);
    }
}
