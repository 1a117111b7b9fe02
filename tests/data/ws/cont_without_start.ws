# a continuation frame with no message in progress
role server
> frame cont "x"
= error 1002
