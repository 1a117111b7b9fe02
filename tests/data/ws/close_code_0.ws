role client
> frame close "\x00\x00"
= error 1002
