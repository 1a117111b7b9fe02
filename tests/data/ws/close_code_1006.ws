role server
> frame close "\x03\xee"
= error 1002
