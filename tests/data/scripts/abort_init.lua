local tg = require "tailgate"
if not tg.env.NEVER_SET_THIS then tg.abort("no target configured") end
function default() end
