-- Reserved for issue 13 part 2 (procedure rules that must hold after 00016): filled by that work before it lands.
select 1;
