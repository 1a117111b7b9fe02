role client
> frame more binary "a"
> frame binary "b"
= error 1002
