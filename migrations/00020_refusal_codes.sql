-- Reserved for issue 17 (a code on every older refusal): filled by that work before it lands.
select 1;
