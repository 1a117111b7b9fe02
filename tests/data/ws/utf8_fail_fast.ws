# an invalid byte fails the message at once, before its last fragment arrives
role server
> frame more text "ok \xff"
= error 1007
