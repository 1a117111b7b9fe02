-- tailgate.shapes.spike drives a ramping-vus scenario: 2 VUs, a jump to 10, back to 2.
local tg = require "tailgate"
local stages, start = tg.shapes.spike{ baseline = 2, factor = 5, before = "1s", rise = "300ms",
                                        hold = "1s", recover = "300ms", after = "1s" }
options = { scenarios = { spike = { executor = "ramping-vus", startVUs = start, stages = stages,
                                    gracefulRampDown = "0s" } } }
function default() tg.sleep(0.05) end
