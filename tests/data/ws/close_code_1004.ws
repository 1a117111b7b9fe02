role server
> frame close "\x03\xec"
= error 1002
