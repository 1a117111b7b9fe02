role server
> frame close "\x03\xf7"
= error 1002
