options = { vus = 1, iterations = 1 }
function setup() return { f = function() end } end
function default() end
