# a close payload of one byte cannot hold a code: protocol error
role server
> frame close "\x03"
= error 1002
