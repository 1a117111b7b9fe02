role server
> frame rsv=1 text "a"
= error 1002
