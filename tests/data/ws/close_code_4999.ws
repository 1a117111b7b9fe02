role client
> frame close "\x13\x87app"
= close 4999 "app"
