function setup() end
function default() end
