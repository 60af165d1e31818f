namespace Quarry.Jobs.Backends.Redis;

/// <summary>The Lua scripts that make every status transition of the Redis backend atomic.</summary>
internal static class RedisJobScripts
{
    // The stream and its consumer group are created together, so a stream that exists always has the group.
    private const string EnsureGroup = """
        local function ensure_group(stream, group)
          if redis.call('EXISTS', stream) == 0 then
            redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
          end
        end

        """;

    // Idle takers leave a short-lived flag before they wait; whoever queues work then publishes once to wake them.
    // The wake-up is best effort (an ACL user may lack the channel): takers poll as well.
    private const string Wake = """
        local function wake(sleepers, channel)
          if redis.call('DEL', sleepers) == 1 then
            redis.pcall('PUBLISH', channel, '1')
          end
        end

        """;

    // Per-status counters kept beside the records; a namespace written before they existed is tallied once from its index.
    private const string Counts = """
        local function ensure_counts(counts, index, prefix)
          if redis.call('EXISTS', counts) == 1 then
            return
          end
          local tally = {['submitted'] = 0, ['in progress'] = 0, ['complete'] = 0, ['failed'] = 0, ['cancelled'] = 0}
          for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
            local status = redis.call('HGET', prefix .. id, 'status')
            if status and tally[status] then
              tally[status] = tally[status] + 1
            end
          end
          redis.call('HSET', counts, 'submitted', tally['submitted'], 'in progress', tally['in progress'],
            'complete', tally['complete'], 'failed', tally['failed'], 'cancelled', tally['cancelled'])
        end

        local function move(counts, from, to)
          redis.call('HINCRBY', counts, from, -1)
          redis.call('HINCRBY', counts, to, 1)
        end

        """;

    /// <summary>KEYS: counts, index. ARGV: job key prefix. Returns the counts hash as HGETALL does.</summary>
    public const string Count = Counts + """
        ensure_counts(KEYS[1], KEYS[2], ARGV[1])
        return redis.call('HGETALL', KEYS[1])
        """;

    /// <summary>
    /// KEYS: stream, index, seq, counts, sleepers. ARGV: job key prefix, group, wake channel, then id, type, payload, created,
    /// has start and end ('1' or '0'), start, end, traceparent, tracestate ('' when none) per job. Nil, or the repeated id
    /// (then nothing is written).
    /// </summary>
    public const string Submit = EnsureGroup + Counts + Wake + """
        local stream, index, seq, counts = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local prefix, group = ARGV[1], ARGV[2]
        local seen = {}
        for i = 4, #ARGV, 9 do
          local id = ARGV[i]
          if seen[id] or redis.call('EXISTS', prefix .. id) == 1 then
            return id
          end
          seen[id] = true
        end
        ensure_group(stream, group)
        ensure_counts(counts, index, prefix)
        local count = (#ARGV - 3) / 9
        redis.call('HINCRBY', counts, 'submitted', count)
        local number = redis.call('INCRBY', seq, count) - count
        for i = 4, #ARGV, 9 do
          local id = ARGV[i]
          local key = prefix .. id
          local entry = redis.call('XADD', stream, '*', 'id', id)
          redis.call('HSET', key, 'id', id, 'type', ARGV[i + 1], 'status', 'submitted', 'payload', ARGV[i + 2],
            'attempts', 0, 'created', ARGV[i + 3], 'entry', entry)
          if ARGV[i + 4] == '1' then
            redis.call('HSET', key, 'start', ARGV[i + 5], 'end', ARGV[i + 6])
          end
          if ARGV[i + 7] ~= '' then
            redis.call('HSET', key, 'traceparent', ARGV[i + 7])
            if ARGV[i + 8] ~= '' then
              redis.call('HSET', key, 'tracestate', ARGV[i + 8])
            end
          end
          number = number + 1
          redis.call('ZADD', index, number, id)
        end
        wake(KEYS[5], ARGV[3])
        return nil
        """;

    /// <summary>
    /// KEYS: stream, delayed, claim cursor, counts, index, sleepers. ARGV: job key prefix, group, worker, max, started, now ms,
    /// lease ms, sleep ms. Returns ms until the next retry is due (-1 if none), then id, type, payload, attempt, entry, created,
    /// traceparent, tracestate ('' for fields a record lacks) per taken job. When it takes none it raises the sleepers flag for sleep ms, so new work publishes a wake-up.
    /// </summary>
    public const string Take = EnsureGroup + Counts + """
        local stream, delayed, cursor, counts = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local prefix, group, worker = ARGV[1], ARGV[2], ARGV[3]
        local max, started, now, lease = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
        local out = {-1}
        local taken, started_now = 0, 0

        local function mark(entry, id)
          local key = prefix .. id
          local job = redis.call('HMGET', key, 'status', 'attempts', 'entry', 'type', 'payload', 'created', 'traceparent', 'tracestate')
          local status = job[1]
          if (status ~= 'submitted' and status ~= 'in progress') or (job[3] and job[3] ~= entry) then
            redis.call('XACK', stream, group, entry)
            redis.call('XDEL', stream, entry)
            return
          end
          local attempt = (tonumber(job[2]) or 0) + 1
          if status == 'submitted' then
            started_now = started_now + 1
          end
          redis.call('HSET', key, 'status', 'in progress', 'worker', worker, 'attempts', attempt, 'started', started)
          local n = #out
          out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5] = id, job[4] or '', job[5] or '', attempt, entry
          out[n + 6], out[n + 7], out[n + 8] = job[6] or '', job[7] or '', job[8] or ''
          taken = taken + 1
        end

        ensure_group(stream, group)
        ensure_counts(counts, KEYS[5], prefix)

        local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, 256)
        for _, id in ipairs(due) do
          local key = prefix .. id
          if redis.call('HGET', key, 'status') == 'submitted' then
            redis.call('HSET', key, 'entry', redis.call('XADD', stream, '*', 'id', id))
          end
          redis.call('ZREM', delayed, id)
        end

        if taken < max then
          local from = redis.call('GET', cursor) or '0-0'
          local claimed = redis.call('XAUTOCLAIM', stream, group, worker, lease, from, 'COUNT', max - taken)
          if claimed[1] ~= from then
            redis.call('SET', cursor, claimed[1])
          end
          for _, e in ipairs(claimed[2]) do
            if e[2] then
              mark(e[1], e[2][2])
            else
              redis.call('XACK', stream, group, e[1])
            end
          end
        end

        local rounds = 0
        while taken < max and rounds < 4 do
          rounds = rounds + 1
          local read = redis.call('XREADGROUP', 'GROUP', group, worker, 'COUNT', max - taken, 'STREAMS', stream, '>')
          if not read or #read[1][2] == 0 then
            break
          end
          for _, e in ipairs(read[1][2]) do
            mark(e[1], e[2][2])
          end
        end

        if started_now > 0 then
          redis.call('HINCRBY', counts, 'submitted', -started_now)
          redis.call('HINCRBY', counts, 'in progress', started_now)
        end
        if taken == 0 then
          local soonest = redis.call('ZRANGE', delayed, 0, 0, 'WITHSCORES')
          if soonest[2] then
            out[1] = math.max(0, tonumber(soonest[2]) - now)
          end
          redis.call('SET', KEYS[6], '1', 'PX', ARGV[8])
        end
        return out
        """;

    /// <summary>KEYS: stream. ARGV: job key prefix, group, then id, attempt, entry per lease. Resets the idle time of current leases.</summary>
    public const string Renew = """
        local stream = KEYS[1]
        local prefix, group = ARGV[1], ARGV[2]
        for i = 3, #ARGV, 3 do
          local job = redis.call('HMGET', prefix .. ARGV[i], 'status', 'attempts', 'worker')
          if job[1] == 'in progress' and tonumber(job[2]) == tonumber(ARGV[i + 1]) and job[3] then
            redis.call('XCLAIM', stream, group, job[3], 0, ARGV[i + 2], 'JUSTID')
          end
        end
        return nil
        """;

    /// <summary>
    /// KEYS: stream, delayed, counts, index, sleepers. ARGV: job key prefix, group, finished, now ms, wake channel, then id, attempt,
    /// entry, kind, has text, text, due ms per outcome. Applies outcomes of current attempts only.
    /// </summary>
    public const string Report = EnsureGroup + Counts + Wake + """
        local stream, delayed, counts = KEYS[1], KEYS[2], KEYS[3]
        local prefix, group, finished, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
        local applied, queued = 0, false
        local moved = {['complete'] = 0, ['failed'] = 0, ['submitted'] = 0}
        ensure_counts(counts, KEYS[4], prefix)
        for i = 6, #ARGV, 7 do
          local id = ARGV[i]
          local key = prefix .. id
          local job = redis.call('HMGET', key, 'status', 'attempts')
          if job[1] == 'in progress' and tonumber(job[2]) == tonumber(ARGV[i + 1]) then
            local entry, kind, has_text, text = ARGV[i + 2], ARGV[i + 3], ARGV[i + 4] == '1', ARGV[i + 5]
            redis.call('XACK', stream, group, entry)
            redis.call('XDEL', stream, entry)
            if kind == 'complete' or kind == 'fail' then
              local final = kind == 'complete' and 'complete' or 'failed'
              if has_text then
                redis.call('HSET', key, 'status', final, 'finished', finished, kind == 'complete' and 'result' or 'error', text)
              else
                redis.call('HSET', key, 'status', final, 'finished', finished)
              end
              moved[final] = moved[final] + 1
            else
              redis.call('HSET', key, 'status', 'submitted')
              moved['submitted'] = moved['submitted'] + 1
              if has_text then
                redis.call('HSET', key, 'error', text)
              end
              local due = tonumber(ARGV[i + 6])
              if kind == 'retry' and due > now then
                redis.call('ZADD', delayed, due, id)
              else
                ensure_group(stream, group)
                redis.call('HSET', key, 'entry', redis.call('XADD', stream, '*', 'id', id))
                queued = true
              end
            end
            applied = applied + 1
          end
        end
        if applied > 0 then
          redis.call('HINCRBY', counts, 'in progress', -applied)
          for status, n in pairs(moved) do
            if n > 0 then
              redis.call('HINCRBY', counts, status, n)
            end
          end
        end
        if queued then
          wake(KEYS[5], ARGV[5])
        end
        return applied
        """;

    /// <summary>KEYS: stream, delayed, counts, index. ARGV: job key prefix, group, id, finished. Cancels a submitted job; returns the hash (empty when unknown).</summary>
    public const string Cancel = Counts + """
        local stream, delayed, counts = KEYS[1], KEYS[2], KEYS[3]
        local prefix, group, id, finished = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local key = prefix .. id
        local job = redis.call('HMGET', key, 'status', 'entry')
        if job[1] == 'submitted' then
          ensure_counts(counts, KEYS[4], prefix)
          redis.call('HSET', key, 'status', 'cancelled', 'finished', finished)
          move(counts, 'submitted', 'cancelled')
          redis.call('ZREM', delayed, id)
          if job[2] and redis.call('EXISTS', stream) == 1 then
            redis.call('XACK', stream, group, job[2])
            redis.call('XDEL', stream, job[2])
          end
        end
        return redis.call('HGETALL', key)
        """;

    /// <summary>
    /// KEYS: index. ARGV: job key prefix, upper score bound, limit, status ('' for all), scan budget. Returns the next
    /// cursor (nil at the end), then one HGETALL array per record, newest first.
    /// </summary>
    public const string List = """
        local index, prefix = KEYS[1], ARGV[1]
        local upper, limit, status, budget = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
        local out = {false}
        local found, scanned = 0, 0
        while found < limit and scanned < budget do
          local want = limit - found
          if status ~= '' then
            want = math.min(budget - scanned, 256)
          end
          local ids = redis.call('ZREVRANGEBYSCORE', index, upper, '-inf', 'WITHSCORES', 'LIMIT', 0, want)
          if #ids == 0 then
            return out
          end
          for i = 1, #ids, 2 do
            scanned = scanned + 1
            upper = '(' .. ids[i + 1]
            local key = prefix .. ids[i]
            if status == '' or redis.call('HGET', key, 'status') == status then
              local hash = redis.call('HGETALL', key)
              if #hash > 0 then
                found = found + 1
                out[found + 1] = hash
              end
            end
            if found == limit then
              break
            end
          end
        end
        if #redis.call('ZREVRANGEBYSCORE', index, upper, '-inf', 'LIMIT', 0, 1) > 0 then
          out[1] = string.sub(upper, 2)
        end
        return out
        """;
}
