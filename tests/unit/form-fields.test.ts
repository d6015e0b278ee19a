// The shared form fields (src/lib/components/forms/), rendered on the server as a browser without
// JavaScript receives them: a refused form shows each error beside its field in the user's
// language, marks the field invalid, ties hint and error to it, and keeps what was typed.
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import { createRawSnippet, type Component } from 'svelte';
import Field from '../../src/lib/components/forms/Field.svelte';
import TextArea from '../../src/lib/components/forms/TextArea.svelte';
import Select from '../../src/lib/components/forms/Select.svelte';
import Check from '../../src/lib/components/forms/Check.svelte';
import FieldSet from '../../src/lib/components/forms/FieldSet.svelte';
import FormErrors from '../../src/lib/components/forms/FormErrors.svelte';
import { errorTexts, fieldAria, formFields } from '../../src/lib/components/forms/field';
import { overwriteGetLocale } from '../../src/lib/paraglide/runtime';

function html<Props extends Record<string, unknown>>(component: Component<Props>, props: Props): string {
	return render(component, { props }).body.replace(/<!--[^>]*-->|<!>/g, '');
}

/** The opening tag of the element with this id. */
function tagOf(markup: string, id: string): string {
	const tag = markup.match(new RegExp(`<[a-z]+[^>]*\\sid="${id}"[^>]*>`));
	if (!tag) throw new Error(`no element #${id} in ${markup}`);
	return tag[0];
}

const options = createRawSnippet(() => ({
	render: () => '<option value="a">A</option>'
}));

afterEach(() => overwriteGetLocale(() => 'zh-CN'));

describe('Field', () => {
	it('labels the input and echoes the value, with no error state on a fresh form', () => {
		const markup = html(Field, { id: 'title', label: '标题', value: '路灯', maxlength: 100, required: true });
		expect(markup).toContain('<label for="title">标题</label>');
		const input = tagOf(markup, 'title');
		expect(input).toContain('name="title"');
		expect(input).toContain('value="路灯"');
		expect(input).toContain('maxlength="100"');
		expect(input).not.toContain('aria-invalid');
		expect(input).not.toContain('aria-describedby');
		expect(markup).not.toContain('field-error');
	});

	it('shows the error beside the field, marks it invalid and describes it by error then hint', () => {
		const markup = html(Field, {
			id: 'estimatedCost',
			label: '估算费用',
			hint: '以万元计',
			error: '请填写数字。',
			value: 'abc'
		});
		const input = tagOf(markup, 'estimatedCost');
		expect(input).toContain('aria-invalid="true"');
		expect(input).toContain('aria-describedby="estimatedCost-error estimatedCost-help"');
		expect(input).toContain('value="abc"');
		expect(tagOf(markup, 'estimatedCost-error')).toContain('class="field-error"');
		expect(markup).toMatch(/id="estimatedCost-error"[^>]*>请填写数字。<\/p>/);
		expect(markup).toMatch(/id="estimatedCost-help"[^>]*>以万元计<\/p>/);
		// Label, hint, control, error: the order a screen reader and the eye meet them.
		expect(markup.indexOf('estimatedCost-help')).toBeLessThan(markup.indexOf('<input'));
		expect(markup.indexOf('<input')).toBeLessThan(markup.indexOf('id="estimatedCost-error"'));
	});

	it('posts under its own name when the id differs, and keeps no value it was not given', () => {
		const markup = html(Field, { id: 'manage-password', name: 'password', type: 'password', label: '密码' });
		const input = tagOf(markup, 'manage-password');
		expect(input).toContain('name="password"');
		expect(input).toContain('type="password"');
		expect(input).not.toContain('value=');
	});

	it('shows a unit after the box, hidden from screen readers (the label names the target)', () => {
		const markup = html(Field, { id: 'percent0', type: 'number', label: '目标一', unit: '%', value: '40' });
		expect(markup).toMatch(/<input[^>]*id="percent0"[^>]*>\s*<span aria-hidden="true">%<\/span>/);
	});

	it('announces the error at once when asked (a form without a summary)', () => {
		const markup = html(Field, { id: 'code', label: '验证码', error: '验证码不正确', alert: true });
		expect(tagOf(markup, 'code-error')).toContain('role="alert"');
	});
});

describe('TextArea and Select', () => {
	it('echoes the typed text inside the textarea, escaped', () => {
		const markup = html(TextArea, { id: 'problem', label: '问题', value: '<b>灯</b> & 路', error: '太长了', rows: 5 });
		expect(markup).toContain('&lt;b>灯&lt;/b> &amp; 路</textarea>');
		expect(tagOf(markup, 'problem')).toContain('aria-invalid="true"');
		expect(tagOf(markup, 'problem')).toContain('aria-describedby="problem-error"');
	});

	it('renders the options it is given inside a labelled select', () => {
		const markup = html(Select, { id: 'district', label: '区县', error: '请选择所在区县。', children: options });
		expect(markup).toMatch(/<select[^>]*id="district"[^>]*>\s*<option value="a">A<\/option>\s*<\/select>/);
		expect(tagOf(markup, 'district')).toContain('aria-describedby="district-error"');
	});
});

describe('Check and FieldSet', () => {
	it('puts the box inside its label and keeps it ticked after an error elsewhere', () => {
		const markup = html(Check, { id: 'consent', label: '我同意', checked: true, required: true });
		expect(markup).toMatch(/<label class="check" for="consent"><input[^>]*type="checkbox"[^>]*>/);
		expect(tagOf(markup, 'consent')).toContain('value="yes"');
		expect(tagOf(markup, 'consent')).toContain('checked');
	});

	it('describes the group by its error and hint, the fieldset carrying the id the summary links to', () => {
		const markup = html(FieldSet, {
			id: 'eligibility',
			legend: '谁可以支持',
			hint: '默认：手机号已验证',
			error: '请选择一项',
			class: 'field-group',
			children: options
		});
		const fieldset = tagOf(markup, 'eligibility');
		expect(fieldset).toMatch(/^<fieldset/);
		expect(fieldset).toContain('aria-describedby="eligibility-error eligibility-help"');
		expect(fieldset).toContain('class="field-group"');
		expect(markup).toContain('<legend>谁可以支持</legend>');
	});
});

describe('errors in the user language', () => {
	it('turns the message keys of a form action into text of the current language', () => {
		overwriteGetLocale(() => 'en');
		const english = errorTexts({ confirm: 'verification_error_delete_confirm' });
		overwriteGetLocale(() => 'zh-CN');
		const chinese = errorTexts({ confirm: 'verification_error_delete_confirm' });
		expect(english.confirm).toMatch(/[a-z]/);
		expect(chinese.confirm).toMatch(/[\u4e00-\u9fff]/);
		expect(english.confirm).not.toBe(chinese.confirm);
	});

	it('lists the refused fields in page order, linking to each, in the language of the page', () => {
		overwriteGetLocale(() => 'en');
		const markup = html(FormErrors, {
			errors: { password: 'verification_error_delete_confirm', confirm: 'verification_error_delete_confirm' },
			fields: ['confirm', 'password'],
			title: 'Not saved'
		});
		expect(markup).toContain('role="alert"');
		expect(markup.indexOf('href="#confirm"')).toBeLessThan(markup.indexOf('href="#password"'));
		expect(markup).not.toMatch(/[\u4e00-\u9fff]/);
	});

	it('shows texts as they are with `texts`', () => {
		const markup = html(FormErrors, {
			errors: { title: '标题不能为空' },
			fields: ['title'],
			title: '未保存',
			texts: true
		});
		expect(markup).toContain('<a href="#title">标题不能为空</a>');
	});

	it('says nothing for a field without an error', () => {
		expect(fieldAria({ id: 'x' })).toEqual({ 'aria-invalid': undefined, 'aria-describedby': undefined });
		expect(fieldAria({ id: 'x', describedBy: 'y-risk' })['aria-describedby']).toBe('y-risk');
	});

	it('gives each field of a form its id, error and echoed value, and no value that is not text', () => {
		const field = formFields({ title: '标题不能为空' }, { title: '', cost: '12', candidateIds: ['1', '2'] });
		expect(field('title')).toEqual({ id: 'title', error: '标题不能为空', value: '' });
		expect(field('cost')).toEqual({ id: 'cost', error: undefined, value: '12' });
		expect(field('candidateIds').value).toBeUndefined();
		expect(formFields({}, null)('title' as never)).toEqual({ id: 'title', error: undefined, value: undefined });
	});
});
