# input that stops inside a header produces nothing (and no error)
role client
> hex 81 7e 00
