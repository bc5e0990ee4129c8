-- Compare-and-set of one service-graph element in its time bucket's hash (docs/redis.md, "Service graph").
-- KEYS[1]  the bucket's hash, corr:graph:<bucket start ms>
-- ARGV[1]  the element's field (a JSON array: ["svc"] or ["parent","child"])
-- ARGV[2]  its counts (JSON, with "calls")
-- ARGV[3]  the calls of ARGV[2]
-- ARGV[4]  the hash's expiry, ms
-- The job sends totals, never deltas, and totals only grow: the write with more calls holds more of the
-- same spans, so a stored value with more calls (from before a restore) is kept. Equal calls are
-- written (the same content, or a re-done emission). Returns 1 when written, 0 when kept.
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then
  local ok, decoded = pcall(cjson.decode, stored)
  if ok and type(decoded) == 'table' and tonumber(decoded['calls']) and tonumber(decoded['calls']) > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
