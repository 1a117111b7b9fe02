local ws = require "tailgate.ws"
local sse = require "tailgate.sse"
local tg = require "tailgate"
options = { scenarios = { a = { executor = "per-vu-iterations", vus = 1, iterations = 1, exec = "a" },
                          b = { executor = "constant-vus", vus = 3, duration = "500ms", gracefulStop = "0s", exec = "b" } } }
function a()
  local s = ws.connect("ws://127.0.0.1:18130/", { timeout = "300ms" })
  print("timeout:", s.status, s.error_code, s.error, s.closed)
  local st = sse.connect("http://127.0.0.1:18130/", { timeout = 200 })
  print("sse timeout:", st.status, st.error_code, st.error)
  local n = ws.connect("ws://127.0.0.1:18091/nope")
  print("404:", n.status, n.error_code, n.error)
  local d = ws.connect("ws://no-such-host.invalid/")
  print("dns:", d.status, d.error_code, d.error)
  local h = ws.connect("ws://127.0.0.1:18091/ws/ticks")
  h:receive("1s")
  error("boom with a session open")
end
function b()
  local s = ws.connect("ws://127.0.0.1:18130/")  -- hangs in the handshake until the VU is stopped
  print("never here", s.status)
end
