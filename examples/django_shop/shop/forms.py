from django import forms


class LeadForm(forms.Form):
    name = forms.CharField(max_length=200, label="What are you interested in?")
    contact_name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(label="Your email")
    description = forms.CharField(widget=forms.Textarea, required=False)
