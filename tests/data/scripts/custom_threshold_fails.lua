local tg = require "tailgate"
local t = tg.Trend("work_ms", true)
options = { iterations = 5, thresholds = { work_ms = { "max<1" } } }
function default() t:add(25) end
