role client
> frame close "\x0b\xb8"
= close 3000 ""
