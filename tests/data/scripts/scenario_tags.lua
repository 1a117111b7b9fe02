-- Scenario tags, options.tags and per-scenario env (k6 semantics): every sample of a
-- scenario carries its tags and the test-wide ones (the scenario's win; built-in tags
-- such as scenario and name are never replaced), and each scenario's env overrides
-- tg.env for its own VUs only. The server sees the env through the status it is asked for.
local http = require "tailgate.http"
local tg = require "tailgate"

local hits = tg.Counter("hits")

options = {
  tags = { team = "platform", run = "nightly", scenario = "not-a-scenario" },
  scenarios = {
    core = { executor = "per-vu-iterations", vus = 1, iterations = 3, exec = "core",
             tags = { team = "core", name = "not-a-url" }, env = { CODE = "201" } },
    edge = { executor = "per-vu-iterations", vus = 1, iterations = 2, exec = "edge",
             env = { CODE = "202", EXTRA = "edge-only" } },
    plain = { executor = "shared-iterations", vus = 1, iterations = 1, exec = "plain" },
  },
  thresholds = {
    ["http_reqs{team:core}"] = { "count==3" },
    ["http_reqs{team:platform}"] = { "count==3" },
    ["iterations{run:nightly}"] = { "count==6" },
    ["hits{team:core}"] = { "count==3" },
    ["checks{team:platform}"] = { "rate==1" },
  },
}

local function get()
  return http.get(tg.env.BASE_URL .. "/status/" .. tg.env.CODE)
end

function core()
  tg.group("g", function() get() end)
  hits:add(1)
  tg.check(nil, { ["scenario is core"] = tg.vu.scenario == "core" and tg.env.EXTRA == nil })
end

function edge()
  get()
  tg.check(nil, { ["scenario is edge"] = tg.vu.scenario == "edge" and tg.env.EXTRA == "edge-only"
                  and tg.vu.iteration_in_scenario == tg.vu.iteration })
end

function plain()
  get()
  tg.check(nil, { ["scenario is plain"] = tg.vu.scenario == "plain" })
end
