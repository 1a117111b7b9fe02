# a server frame must not be masked
role client
> frame mask=37fa213d text "Hello"
= error 1002
