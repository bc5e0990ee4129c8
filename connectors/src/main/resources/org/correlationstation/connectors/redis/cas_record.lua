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

-- The stored record's fields are found by plain search rather than by decoding it or by patterns:
-- cjson.decode of a record with its edges and links cost ~300 us per call, and Lua's pattern matcher
-- ~15 ns per character it passes, so a pattern for a field near the end of a 4 KB record cost ~60 us.
-- The codec writes the fields in a fixed order (SPEC §4: status, version, span_count and log_count
-- come before `links`, whose entries also have a `log_count`) and escapes quotes inside strings, so
-- the first `"name":` is the top-level field (`"schema_version":` does not contain `"version":`: the
-- quote must directly precede `version`), and a key no nested object has (`late_events`,
-- `updated_at`) can be looked for near the end first.

-- The value of the top-level field `name` as matched by `pattern`, where the field starts and where
-- its value starts; `from` is where to look first (the whole record is searched if it is not there).
local function field(json, name, pattern, from)
  local key = '"' .. name .. '":'
  local at = from and from > 1 and string.find(json, key, from, true) or string.find(json, key, 1, true)
  if not at then return nil end
  local value_at = at + #key
  return string.match(json, '^' .. pattern, value_at), at, value_at
end

-- The top-level fields after `links` are within the last few hundred bytes.
local function tail(json)
  return #json - 256
end

local stored_progress, stored_closed, stored_version
if stored_json then
  local spans = field(stored_json, 'span_count', '%d+')
  local logs = field(stored_json, 'log_count', '%d+')
  local status = field(stored_json, 'status', '"%a+"')
  if spans and logs and status then
    local late = field(stored_json, 'late_events', '%d+', tail(stored_json))
    stored_progress = tonumber(spans) + tonumber(logs) + tonumber(late or '0')
    stored_closed = 0
    if status == '"closed"' then stored_closed = 1 end
    stored_version = tonumber(field(stored_json, 'version', '%-?%d+') or '0')
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

-- `json` with the top-level field `name` (its value matched by `pattern`) replaced by `replacement`.
local function replaced(json, name, pattern, replacement, from)
  local value, at, value_at = field(json, name, pattern, from)
  if not value then return json end
  return string.sub(json, 1, at - 1) .. replacement .. string.sub(json, value_at + #value)
end

-- Content is everything but `version` and `updated_at`.
local function content(json)
  return replaced(replaced(json, 'version', '%-?%d+', ''), 'updated_at', '[^,}]*', '', tail(json))
end

-- The length of that content, found without copying the record.
local function content_length(json)
  local version = field(json, 'version', '%-?%d+') or ''
  local updated_at = field(json, 'updated_at', '[^,}]*', tail(json)) or ''
  return #json - #version - #updated_at
end

-- More progress, another status or another length is other content; only what is left needs the
-- records compared (copying them costs more than everything else here).
local changed = new_progress ~= stored_progress or new_closed ~= stored_closed
    or content_length(new_json) ~= content_length(stored_json)
    or content(new_json) ~= content(stored_json)
local version
if changed then
  version = math.max(new_version, stored_version + 1)
else
  version = math.max(new_version, stored_version)
end

if version ~= new_version then
  new_json = replaced(new_json, 'version', '%-?%d+', '"version":' .. string.format('%d', version))
end
redis.call('SET', KEYS[1], new_json, 'PX', ttl_ms)
return version
