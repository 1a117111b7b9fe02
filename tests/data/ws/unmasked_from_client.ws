# a client frame must be masked
role server
> frame nomask text "Hello"
= error 1002
