local tg = require "tailgate"
options = { scenarios = { s = { executor = "per-vu-iterations", vus = 2, iterations = 3 } } }
function default()
  if tg.vu.iteration % 2 == 0 then
    error("odd failure")
  end
end
