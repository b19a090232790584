-- wrk's summary as one JSON line (latencies in ms), read by bench/leaderboard_load.py.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\"requests\": %d, \"errors\": %d, \"non2xx\": %d, \"seconds\": %.3f, \"p50\": %.2f, \"p95\": %.2f, \"p99\": %.2f}\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
