role client
> frame close "\x13\x88"
= error 1002
