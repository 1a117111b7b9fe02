# overlong encoding of '/'
role client
> frame text "\xc0\xaf"
= error 1007
