role server
> frame close "\x03\xe7"
= error 1002
