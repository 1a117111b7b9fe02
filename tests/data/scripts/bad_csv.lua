-- A malformed CSV stops the run in the init context with file:line (exit 107).
local tg = require "tailgate"
local users = tg.csv("data/ragged.csv")
function default() end
