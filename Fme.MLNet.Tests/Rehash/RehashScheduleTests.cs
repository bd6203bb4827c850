using System.Text.Json;
using System.Text.Json.Nodes;
using Fme.MLNet.Rehash;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Tests.Rehash;

/// <summary>Schedules as values: intervals, the key-step search, printing, JSON, and the options that carry them.</summary>
public class RehashScheduleTests
{
    [Fact]
    public void Interval_MakesEveryNthStepFull()
    {
        var schedule = RehashSchedule.Interval(10, 3);
        Assert.Equal([0, 3, 6, 9], schedule.FullSteps);
        Assert.Equal(6, schedule.RehashStepCount);
        Assert.True(schedule.IsFull(6));
        Assert.False(schedule.IsFull(7));
        Assert.EndsWith("F..F..F..F", schedule.ToString());
        Assert.Equal(10, RehashSchedule.Interval(10, 1).FullSteps.Count);
        Assert.Equal([0], RehashSchedule.Interval(10, 25).FullSteps);
    }

    [Fact]
    public void KeyStepSearch_PicksStepZeroAndTheLargestChanges()
    {
        // Changes at steps 1..7: the largest at steps 2 and 5, then steps 4 and 7 tie at 0.4 (the earlier step wins).
        double[] changes = [0.10, 0.90, 0.05, 0.40, 0.70, 0.02, 0.40];
        Assert.Equal([0, 2, 4, 5], RehashSchedule.FromDeepChanges(changes, 4).FullSteps);
        Assert.Equal([0, 2, 5], RehashSchedule.FromDeepChanges(changes, 3).FullSteps);
        Assert.Equal([0], RehashSchedule.FromDeepChanges(changes, 1).FullSteps);
        Assert.Equal(8, RehashSchedule.FromDeepChanges(changes, 8).FullSteps.Count);
        Assert.Equal(changes, RehashSchedule.FromDeepChanges(changes, 3).DeepChanges);

        // A random profile: the chosen steps are exactly the top ones.
        var rng = new TestRandom();
        var random = rng.Uniform(24, 0, 1).Select(v => (double)v).ToArray();
        var chosen = RehashSchedule.FromDeepChanges(random, 7).FullSteps.Skip(1).ToHashSet();
        var threshold = chosen.Min(s => random[s - 1]);
        Assert.True(Enumerable.Range(1, 24).Where(s => !chosen.Contains(s)).All(s => random[s - 1] <= threshold), rng.ToString());

        Assert.Throws<ArgumentOutOfRangeException>(() => RehashSchedule.FromDeepChanges(changes, 9));
        Assert.Throws<ArgumentException>(() => RehashSchedule.FromDeepChanges([0.1, double.NaN], 2));
    }

    [Fact]
    public void Json_RoundTrips_WithAndWithoutChanges()
    {
        using var folder = new TempFolder();
        foreach (var schedule in new[] { RehashSchedule.FromFullSteps(6, [4, 0, 1]), RehashSchedule.FromDeepChanges([0.3, 0.1, 0.5], 2) })
        {
            var path = folder.File("schedule.json");
            schedule.Save(path);
            var loaded = RehashSchedule.Load(path);
            Assert.Equal(schedule, loaded);
            Assert.Equal(schedule.FullSteps, loaded.FullSteps);
            Assert.Equal(schedule.DeepChanges, loaded.DeepChanges);
            Assert.Equal(schedule.ToString(), loaded.ToString());
        }
        Assert.Contains("\"full_steps\"", RehashSchedule.Interval(4, 2).ToJson());
        Assert.DoesNotContain("deep_changes", RehashSchedule.Interval(4, 2).ToJson());
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{\"format\": \"something-else\", \"version\": 1, \"steps\": 3, \"full_steps\": [0]}", "found format \"something-else\"")]
    [InlineData("{\"format\": \"fme-rehash-schedule\", \"version\": 1, \"steps\": 3, \"full_steps\": [1]}", "Step 0 must be full")]
    [InlineData("{\"format\": \"fme-rehash-schedule\", \"version\": 1, \"steps\": 3, \"full_steps\": [0, 3]}", "outside steps 0 to 2")]
    [InlineData("{\"format\": \"fme-rehash-schedule\", \"version\": 1, \"steps\": 3, \"full_steps\": [0], \"deep_changes\": [1]}", "expected 2")]
    public void BadFiles_AreRefusedWithTheFileAndTheProblem(string json, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<RehashException>(() => RehashSchedule.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Options_GiveTheScheduleForTheStepCount()
    {
        Assert.Equal([0, 2, 4], StepRehashOptions.WithInterval(2).ScheduleFor(5).FullSteps);
        var schedule = RehashSchedule.FromFullSteps(5, [0, 3]);
        var options = StepRehashOptions.WithSchedule(schedule) with { Depth = 2 };
        Assert.Same(schedule, options.ScheduleFor(5));
        Assert.Equal(2, options.Depth);
        var e = Assert.Throws<ArgumentException>(() => options.ScheduleFor(6));
        Assert.Contains("for 5 steps but the generation has 6", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => StepRehashOptions.WithInterval(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StepRehashOptions.WithInterval(2) with { Depth = 0 });
        Assert.Throws<ArgumentException>(() => RehashSchedule.FromFullSteps(5, [0, 2, 2]));
    }

    [Fact]
    public void Options_RoundTripThroughSystemTextJson_WithTheScheduleInItsFileFormat()
    {
        var rng = new TestRandom();
        var changes = rng.Uniform(rng.Next(2, 30), 0, 1).Select(v => v / 3.0).ToArray();
        StepRehashOptions[] all =
        [
            StepRehashOptions.WithInterval(rng.Next(1, 10)) with { Depth = rng.Next(1, 5) },
            StepRehashOptions.WithSchedule(RehashSchedule.FromDeepChanges(changes, rng.Next(1, changes.Length + 2))) with { Depth = rng.Next(1, 5) },
            StepRehashOptions.WithSchedule(RehashSchedule.FromFullSteps(6, [0, 4])),
        ];
        foreach (var json in new[] { new JsonSerializerOptions(JsonSerializerDefaults.Web), new JsonSerializerOptions() })
        {
            foreach (var options in all)
            {
                var text = JsonSerializer.Serialize(options, json);
                var back = JsonSerializer.Deserialize<StepRehashOptions>(text, json)!;
                Assert.Equal(options, back);
                Assert.Equal(options.Schedule?.DeepChanges, back.Schedule?.DeepChanges);
                if (options.Schedule is { } schedule)
                {
                    // The schedule inside is the schedule file itself: it reads back with RehashSchedule.FromJson.
                    var inner = JsonNode.Parse(text)![json.PropertyNamingPolicy is null ? "Schedule" : "schedule"]!.ToJsonString();
                    Assert.Equal(schedule, RehashSchedule.FromJson(inner));
                }
            }
        }
        Assert.Equal("{\"fullStepInterval\":3,\"depth\":2}",
            JsonSerializer.Serialize(StepRehashOptions.WithInterval(3) with { Depth = 2 }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<StepRehashOptions>("{\"FullStepInterval\": 2, \"Depth\": -1}"));
        Assert.Contains("Depth is -1", e.Message);
    }

    [Fact]
    public void DeepChange_IsTheRelativeL2Distance_InFloatAndFloat16()
    {
        float[] previous = [3, 0, 4, 0];
        float[] current = [3, 1, 4, 0]; // |difference| = 1, |previous| = 5
        using var p32 = OrtValue.CreateTensorValueFromMemory(previous, [2, 2]);
        using var c32 = OrtValue.CreateTensorValueFromMemory(current, [2, 2]);
        Assert.Equal(0.2, DeepChange.RelativeL2(c32, p32), 12);
        using var p16 = OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(previous, v => (Float16)v), [2, 2]);
        using var c16 = OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(current, v => (Float16)v), [2, 2]);
        Assert.Equal(0.2, DeepChange.RelativeL2(c16, p16), 12);
        Assert.Equal(0, DeepChange.RelativeL2(p32, p32));
    }
}
