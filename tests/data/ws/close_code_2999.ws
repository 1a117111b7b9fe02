role client
> frame close "\x0b\xb7"
= error 1002
