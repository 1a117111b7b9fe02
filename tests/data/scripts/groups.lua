-- Checks at the top level, in a group and in a nested group, and an empty group:
-- the summary export's root_group must show this tree with passes, fails and MD5 ids.
local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = 2, iterations = 10 }
function default()
  tg.check(1, { top = true })
  tg.group("browse", function()
    tg.check(1, { ["is one"] = function(v) return v == 1 end, ["odd iter"] = tg.vu.iteration % 2 == 1 })
    tg.group("inner", function() tg.check(1, { deep = true }) end)
  end)
  tg.group("empty", function() end)
end
