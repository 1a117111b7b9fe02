# UTF-16 surrogates are not UTF-8
role server
> frame text "\xed\xa0\x80"
= error 1007
