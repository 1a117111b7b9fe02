options = { scenarios = { soak = { executor = "ramping-vus", stages = {
  { duration = "1m", target = 10 }, { duration = "1m", target = "lots" } } } } }
function default() end
