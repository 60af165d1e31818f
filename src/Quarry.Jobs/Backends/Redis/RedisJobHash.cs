using System.Globalization;
using Quarry.Jobs.Model;
using StackExchange.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>Reads job records from the fields of a job hash and formats the times written into it.</summary>
internal static class RedisJobHash
{
    /// <summary>Times as ISO 8601 UTC text, so a hash read by hand (HGETALL) is plain to see.</summary>
    public static string FormatTime(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The record held by an HGETALL reply returned from a script, or null when the hash is empty or has no usable id.</summary>
    public static JobRecord? Parse(RedisResult reply)
    {
        if (reply.IsNull || reply.Resp2Type != ResultType.Array)
        {
            return null;
        }

        var items = (RedisResult[])reply!;
        var pairs = new HashEntry[items.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new HashEntry((RedisValue)items[2 * i], (RedisValue)items[(2 * i) + 1]);
        }

        return Parse(pairs);
    }

    /// <summary>The record held by a hash's fields, or null when there are none or no usable id.</summary>
    public static JobRecord? Parse(HashEntry[] items)
    {
        if (items.Length == 0)
        {
            return null;
        }

        Guid? id = null;
        string type = string.Empty, status = JobStatus.Submitted, payload = string.Empty;
        string? result = null, error = null, worker = null, traceParent = null, traceState = null;
        var attempts = 0;
        DateTimeOffset? created = null, started = null, finished = null;
        foreach (var item in items)
        {
            ReadOnlySpan<byte> name = (byte[]?)item.Name;
            var value = item.Value;
            if (name.SequenceEqual("id"u8))
            {
                id = Guid.TryParse(Text(value), out var parsed) ? parsed : null;
            }
            else if (name.SequenceEqual("type"u8))
            {
                type = Text(value);
            }
            else if (name.SequenceEqual("status"u8))
            {
                status = Text(value);
            }
            else if (name.SequenceEqual("payload"u8))
            {
                payload = Text(value);
            }
            else if (name.SequenceEqual("result"u8))
            {
                result = Text(value);
            }
            else if (name.SequenceEqual("error"u8))
            {
                error = Text(value);
            }
            else if (name.SequenceEqual("worker"u8))
            {
                worker = Text(value);
            }
            else if (name.SequenceEqual("attempts"u8))
            {
                attempts = int.TryParse(Text(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0;
            }
            else if (name.SequenceEqual("created"u8))
            {
                created = Time(value);
            }
            else if (name.SequenceEqual("started"u8))
            {
                started = Time(value);
            }
            else if (name.SequenceEqual("finished"u8))
            {
                finished = Time(value);
            }
            else if (name.SequenceEqual("traceparent"u8))
            {
                traceParent = Text(value);
            }
            else if (name.SequenceEqual("tracestate"u8))
            {
                traceState = Text(value);
            }
        }

        if (id is not { } jobId)
        {
            return null;
        }

        return new JobRecord
        {
            Id = jobId,
            Type = type,
            Status = status,
            Payload = payload,
            Result = result,
            Error = error,
            Worker = worker,
            Attempts = attempts,
            CreatedAt = created ?? DateTimeOffset.UnixEpoch,
            StartedAt = started,
            FinishedAt = finished,
            TraceParent = string.IsNullOrEmpty(traceParent) ? null : traceParent,
            TraceState = string.IsNullOrEmpty(traceState) ? null : traceState,
        };
    }

    /// <summary>A time field as written by <see cref="FormatTime"/> (or a seeded Unix time), or null when empty or unreadable.</summary>
    public static DateTimeOffset? ParseTime(string? text) => Time(text);

    private static string Text(RedisValue value) => value.IsNull ? string.Empty : (string)value!;

    // Seeded records may carry Unix times (seconds, or milliseconds) instead of ISO text.
    private static DateTimeOffset? Time(RedisValue value)
    {
        var text = Text(value);
        if (text.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var unix) && unix >= 0)
        {
            var milliseconds = unix < 1e11 ? unix * 1000 : unix;
            return milliseconds < 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds) : null;
        }

        return null;
    }
}
