-- Subscribers to a tick feed: WebSocket sessions that receive ticks and measure how late
-- each one arrives from the server's own timestamp, next to a few SSE subscribers that
-- resume where they left off. Thresholds gate the tick latency and the stream errors.
-- Run: tailgate serve --listen 127.0.0.1:8080 --tick-rate 20 &
--      tailgate run -e BASE_URL=http://127.0.0.1:8080 examples/tick-subscribers.lua
-- (-e DURATION=4s shortens both scenarios.)
local ws  = require "tailgate.ws"
local sse = require "tailgate.sse"
local tg  = require "tailgate"

local tick_latency = tg.Trend("tick_latency", true)

local DURATION = tg.env.DURATION or "30s"

options = {
  scenarios = {
    websocket = { executor = "constant-vus", vus = 50, duration = DURATION, exec = "subscriber" },
    sse       = { executor = "constant-vus", vus = 10, duration = DURATION, exec = "sse_reader" },
  },
  thresholds = {
    ["tick_latency{feed:ws}"]  = { "p(99)<250" },
    ["tick_latency{feed:sse}"] = { "p(99)<250" },
    ws_errors  = { "count==0" },
    sse_errors = { "count==0" },
    checks     = { "rate==1" },
  },
}

local BASE = tg.env.BASE_URL or "http://127.0.0.1:8080"
local WS   = BASE:gsub("^http", "ws")

-- One session per iteration: 40 ticks (2 s at 20 ticks/s), then the close handshake.
function subscriber()
  local s = ws.connect(WS .. "/ws/ticks", { tags = { feed = "ws" } })
  if s.error_code ~= 0 then return end          -- counted in ws_errors
  local last
  for _ = 1, 40 do
    local msg, kind, at = s:receive("5s")
    if not msg then break end                   -- nil, "timeout" or nil, "closed"
    local tick = tg.json.decode(msg)
    tick_latency:add(at - tick.ts_us / 1000, { feed = "ws" })
    tg.check(tick, { ["ticks in order"] = function(t) return last == nil or t.seq == last + 1 end })
    last = tick.seq
  end
  s:close()
end

-- An SSE reader that resumes after the last event it saw (Last-Event-ID).
function sse_reader()
  local st = sse.connect(BASE .. "/sse/ticks", {
    last_event_id = tg.vu.state.last, tags = { feed = "sse" },
  })
  if st.error_code ~= 0 then return end         -- counted in sse_errors
  for _ = 1, 20 do
    local e = st:receive("5s")
    if not e then break end
    local tick = tg.json.decode(e.data)
    tick_latency:add(e.time - tick.ts_us / 1000, { feed = "sse" })
    tg.vu.state.last = e.id
  end
  st:close()
end
