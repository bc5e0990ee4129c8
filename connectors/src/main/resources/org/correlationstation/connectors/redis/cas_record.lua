-- Compare-and-set of one correlation record (SPEC §5). Single key, so it runs on Redis Cluster.
--
-- KEYS[1]  corr:<correlation_id>
-- ARGV[1]  the new record JSON (RecordCodec: fixed field order, `version` and `updated_at` present)
-- ARGV[2]  time to live in milliseconds
-- ARGV[3]  new progress = span_count + log_count + late_events
-- ARGV[4]  1 when the new record is closed, else 0
-- ARGV[5]  the new record's version
--
-- Returns the version stored, or -1 when the new record is less advanced than the stored one (the
-- stored record is then left as it is, TTL included).

local new_json = ARGV[1]
local ttl_ms = tonumber(ARGV[2])
local new_progress = tonumber(ARGV[3])
local new_closed = tonumber(ARGV[4])
local new_version = tonumber(ARGV[5])

local stored_json = redis.call('GET', KEYS[1])

-- The stored record's fields are read with patterns rather than by decoding it: cjson.decode of a
-- record with its edges and links made this script cost ~300 us per call, the most expensive command
-- of the job's Redis traffic. The codec writes the fields in a fixed order (SPEC §4: status, version,
-- span_count and log_count come before `links`, whose entries also have a `log_count`) and escapes
-- quotes inside strings, so the first match of `"name":` is the top-level field.
local function field(json, name, pattern)
  return string.match(json, '"' .. name .. '":' .. pattern)
end

local stored_progress, stored_closed, stored_version
if stored_json then
  local spans = field(stored_json, 'span_count', '(%d+)')
  local logs = field(stored_json, 'log_count', '(%d+)')
  local status = field(stored_json, 'status', '"(%a+)"')
  if spans and logs and status then
    stored_progress = tonumber(spans) + tonumber(logs) + tonumber(field(stored_json, 'late_events', '(%d+)') or '0')
    stored_closed = 0
    if status == 'closed' then stored_closed = 1 end
    stored_version = tonumber(field(stored_json, 'version', '(%-?%d+)') or '0')
  end
end

-- Nothing stored, or a value that is not a record (hand-edited, corrupt): written, rather than failing
-- the write forever (the sink retries errors until they succeed).
if not stored_progress then
  redis.call('SET', KEYS[1], new_json, 'PX', ttl_ms)
  return new_version
end

-- Less advanced: a replay after a restore, or an emission overtaken by a later one. Ties are written,
-- so that a re-done closing emission is never rejected.
if new_progress < stored_progress
    or (new_progress == stored_progress and new_closed < stored_closed) then
  return -1
end

-- Content is everything but `version` and `updated_at`. The codec writes the fields in a fixed order
-- and escapes quotes inside strings, so these patterns match only the top-level fields
-- (`schema_version` does not match: the quote must directly precede `version`).
local function content(json)
  local c = string.gsub(json, '"version":%-?%d+', '', 1)
  c = string.gsub(c, '"updated_at":[^,}]*', '', 1)
  return c
end

local version
if content(new_json) ~= content(stored_json) then
  version = math.max(new_version, stored_version + 1)
else
  version = math.max(new_version, stored_version)
end

if version ~= new_version then
  new_json = string.gsub(new_json, '"version":%-?%d+', '"version":' .. string.format('%d', version), 1)
end
redis.call('SET', KEYS[1], new_json, 'PX', ttl_ms)
return version
