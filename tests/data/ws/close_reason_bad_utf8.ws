# a reason that is not UTF-8: invalid payload data
role server
> frame close "\x03\xe8bad \xc3\x28"
= error 1007
