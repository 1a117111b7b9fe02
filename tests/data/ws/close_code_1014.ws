role client
> frame close "\x03\xf6"
= close 1014 ""
