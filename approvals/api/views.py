"""API views: thin wrappers over the nomination selectors and services the pages use.

Reads go through nominations_for_user / inbox_for_user (404 for anything else); writes call
the services, whose PermissionDenied becomes 403 and ValidationError 400, with their
Vietnamese messages. A refused action changes nothing: the services roll back.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from approvals.api.serializers import (
    ActSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CommentSerializer,
    DecisionDetailSerializer,
    DecisionSerializer,
    EligibilitySerializer,
    ErrorSerializer,
    NominationCreateSerializer,
    NominationDetailSerializer,
    NominationFilterSerializer,
    NominationListSerializer,
    TaskSerializer,
    VoteResultSerializer,
)
from approvals.models import Nomination
from approvals.permissions import allowed_actions
from approvals.selectors.decisions import decisions_for_user, entries_for_user
from approvals.selectors.nominations import (
    LIST_RELATED,
    acting_users,
    get_nomination_for_user,
    ids_of,
    in_order,
    inbox_counts,
    inbox_for_user,
    nominations_filtered,
    nominations_for_user,
    timeline,
)
from approvals.selectors.scope import scope_for
from approvals.services.dossiers import attachment_add
from approvals.services.eligibility import check_nomination
from approvals.services.nominations import (
    Action,
    VoteResult,
    nomination_claim,
    nomination_create,
    nomination_release,
    nomination_withdraw,
    stage_act,
    stage_record_vote_result,
)

REFUSED = {
    400: OpenApiResponse(
        description=gettext_lazy("Dữ liệu không hợp lệ hoặc thao tác không thực hiện được.")
    ),
    403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Không có quyền thực hiện.")),
    404: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Không có đề nghị này (hoặc không được xem).")
    ),
}


def _validation_detail(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as DRF lays out errors: per field, else non_field_errors."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def _perform(service, /, **kwargs):
    """Call a service, turning its refusals into 403 and 400 responses with its messages."""
    try:
        return service(**kwargs)
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error
    except ValidationError as error:
        raise exceptions.ValidationError(_validation_detail(error)) from error


def _detail(request: Request, nomination_id: int) -> dict:
    """The detail of a nomination the user may read or has just acted on."""
    nomination = Nomination.objects.select_related(*LIST_RELATED, "person", "nominee_unit").get(
        pk=nomination_id
    )
    context = {
        "request": request,
        "acting_users": acting_users(nomination),
        "timeline": timeline(nomination),
        "allowed_actions": allowed_actions(scope_for(request.user), nomination),
    }
    return NominationDetailSerializer(nomination, context=context).data


def _page_rows(view, nominations) -> list:
    """The view's page of these nominations, as the list page reads it (selectors.nominations:
    a page of ids, then those rows with what the list shows)."""
    return in_order(list(view.paginate_queryset(ids_of(nominations))), LIST_RELATED)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Danh sách đề nghị được xem"),
        description=gettext_lazy(
            "Các đề nghị người dùng được xem (theo đơn vị, vai trò, khối, hội đồng), "
            "mới nhất trước, 50 đề nghị một trang; lọc theo tình trạng, danh hiệu, đợt, loại bước."
        ),
        parameters=[NominationFilterSerializer],
        responses=NominationListSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Chi tiết đề nghị"),
        description=gettext_lazy(
            "Bước hiện tại, nơi và người đang xử lý, hạn xử lý, diễn biến, và các "
            "thao tác người dùng được thực hiện (`allowed_actions`). 404 nếu không được xem."
        ),
        responses={200: NominationDetailSerializer, 404: REFUSED[404]},
    ),
    create=extend_schema(
        summary=gettext_lazy("Lập đề nghị"),
        description=gettext_lazy(
            "Lập đề nghị ở bước đầu của quy trình (đang lập). Chọn một cá nhân "
            "(`person`) hoặc một tập thể (`nominee_unit`) thuộc đơn vị đề nghị."
        ),
        request=NominationCreateSerializer,
        responses={201: NominationDetailSerializer, 400: REFUSED[400], 403: REFUSED[403]},
    ),
)
class NominationViewSet(viewsets.GenericViewSet):
    """Nominations the user may read, and the actions on them."""

    serializer_class = NominationListSerializer
    lookup_value_converter = "int"
    input_serializers = {
        "create": NominationCreateSerializer,
        "submit": CommentSerializer,
        "act": ActSerializer,
        "withdraw": CommentSerializer,
        "vote_result": VoteResultSerializer,
        "attachments": AttachmentUploadSerializer,
    }

    def get_queryset(self):
        return nominations_for_user(self.request.user)

    def get_serializer_class(self):
        # also what the browsable API's form shows for each action
        return self.input_serializers.get(self.action, NominationListSerializer)

    def _nomination(self, pk: int) -> Nomination:
        return get_nomination_for_user(self.request.user, pk)

    def list(self, request: Request) -> Response:
        filters = NominationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = {k: v for k, v in filters.validated_data.items() if v not in ("", None, False)}
        if "stage_kind" in params:
            params["stage"] = params.pop("stage_kind")
        # the same filter as the list page and its export
        nominations = nominations_filtered(request.user, params)
        page = _page_rows(self, nominations)
        return self.get_paginated_response(NominationListSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, self._nomination(pk).pk))

    def create(self, request: Request) -> Response:
        data = _valid(NominationCreateSerializer, request)
        nomination = _perform(nomination_create, actor=request.user, **data)
        return Response(_detail(request, nomination.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Gửi đề nghị"),
        description=gettext_lazy(
            "Đồng ý ở bước lập hồ sơ: chuyển sang bước tiếp theo, hoặc về lại bước "
            "đã trả lại. 400 nếu đề nghị không ở bước lập hồ sơ."
        ),
        responses={200: NominationDetailSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: int) -> Response:
        data = _valid(CommentSerializer, request)
        nomination = self._nomination(pk)
        with transaction.atomic():
            # locked so that the stage checked here is the one stage_act approves
            nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
            if nomination.stage_position != 1 or not nomination.is_active:
                raise exceptions.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            _("Đề nghị không ở bước lập hồ sơ, không gửi được.")
                        ]
                    }
                )
            _perform(
                stage_act,
                actor=request.user,
                nomination=nomination,
                action=Action.APPROVE,
                comment=data["comment"],
            )
        return Response(_detail(request, nomination.pk))

    @extend_schema(
        summary=gettext_lazy("Xử lý ở bước hiện tại"),
        description=gettext_lazy(
            "`approve`: đồng ý, chuyển bước tiếp theo (bước bỏ phiếu chỉ chuyển theo "
            "kết quả biểu quyết). `return`: trả lại bước trước (`return_to=previous`) hoặc đơn vị "
            "đề nghị (`return_to=unit`), phải nêu lý do. `reject`: không đề nghị, phải nêu lý do."
        ),
        responses={200: NominationDetailSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def act(self, request: Request, pk: int) -> Response:
        data = _valid(ActSerializer, request)
        nomination = _perform(
            stage_act, actor=request.user, nomination=self._nomination(pk), **data
        )
        return Response(_detail(request, nomination.pk))

    @extend_schema(
        summary=gettext_lazy("Thêm tài liệu vào hồ sơ"),
        description=gettext_lazy(
            "Người xử lý bước hiện tại tải lên một tài liệu (multipart: `file`, "
            "`document_type` là mã loại tài liệu, `replaces` là bản đang dùng được thay thế). "
            "Tệp được kiểm tra theo nội dung; tệp bị từ chối thì không có gì được lưu."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: int) -> Response:
        data = _valid(AttachmentUploadSerializer, request)
        attachment = _perform(
            attachment_add,
            actor=request.user,
            nomination=self._nomination(pk),
            upload=data["file"],
            document_type=data.get("document_type"),
            replaces=data.get("replaces"),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Kiểm tra điều kiện, tiêu chuẩn"),
        description=gettext_lazy(
            "Các điều kiện của danh hiệu (phiên bản có hiệu lực vào ngày bắt đầu đợt) đối "
            "chiếu với dữ liệu hiện tại: kết quả, dữ liệu đã đối chiếu, cách khắc phục, và lý do "
            "miễn áp dụng nếu có."
        ),
        responses={200: EligibilitySerializer, 404: REFUSED[404]},
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request: Request, pk: int) -> Response:
        return Response(EligibilitySerializer(check_nomination(self._nomination(pk))).data)

    @extend_schema(
        summary=gettext_lazy("Ghi nhận kết quả biểu quyết"),
        description=gettext_lazy(
            "Thư ký, chủ tịch hội đồng hoặc cán bộ khối ghi nhận kết quả biểu quyết "
            "ở bước bỏ phiếu: đạt thì chuyển tiếp, không đạt thì kết thúc."
        ),
        responses={200: NominationDetailSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="vote-result")
    def vote_result(self, request: Request, pk: int) -> Response:
        data = _valid(VoteResultSerializer, request)
        nomination = _perform(
            stage_record_vote_result,
            actor=request.user,
            nomination=self._nomination(pk),
            result=VoteResult(**data),
        )
        return Response(_detail(request, nomination.pk))

    @extend_schema(
        summary=gettext_lazy("Rút đề nghị"),
        description=gettext_lazy("Đơn vị đề nghị rút đề nghị chưa có quyết định."),
        responses={200: NominationDetailSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        data = _valid(CommentSerializer, request)
        nomination = _perform(
            nomination_withdraw,
            actor=request.user,
            nomination=self._nomination(pk),
            comment=data["comment"],
        )
        return Response(_detail(request, nomination.pk))

    @extend_schema(
        summary=gettext_lazy("Nhận xử lý"),
        description=gettext_lazy("Nhận đề nghị về mình để người cùng vai trò không xử lý trùng."),
        request=None,
        responses={200: NominationDetailSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: int) -> Response:
        nomination = _perform(nomination_claim, actor=request.user, nomination=self._nomination(pk))
        return Response(_detail(request, nomination.pk))

    @extend_schema(
        summary=gettext_lazy("Trả lại hàng chờ"),
        description=gettext_lazy("Trả đề nghị đã nhận cho mọi người cùng vai trò."),
        request=None,
        responses={200: NominationDetailSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: int) -> Response:
        nomination = _perform(
            nomination_release, actor=request.user, nomination=self._nomination(pk)
        )
        return Response(_detail(request, nomination.pk))


class InboxPagination(PageNumberPagination):
    """Pages of the inbox; the view adds the inbox's counts beside them."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["counts"] = {
            "type": "object",
            "properties": {name: {"type": "integer"} for name in ("total", "overdue", "mine")},
            "required": ["total", "overdue", "mine"],
        }
        schema["required"] = [*schema.get("required", []), "counts"]
        return schema


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Nhiệm vụ của tôi"),
        description=gettext_lazy(
            "Đề nghị đang chờ người dùng xử lý, hạn sớm nhất trước; kèm số lượng "
            "(tổng, quá hạn, đã nhận)."
        ),
        responses=TaskSerializer(many=True),
    ),
)
class TaskViewSet(viewsets.GenericViewSet):
    """The user's inbox: nominations waiting at a stage the user acts on."""

    serializer_class = TaskSerializer
    pagination_class = InboxPagination

    def get_queryset(self):
        return inbox_for_user(self.request.user)

    def list(self, request: Request) -> Response:
        page = _page_rows(self, self.get_queryset())
        response = self.get_paginated_response(TaskSerializer(page, many=True).data)
        response.data["counts"] = inbox_counts(request.user)
        return response


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Quyết định khen thưởng"),
        description=gettext_lazy(
            "Các quyết định người dùng được xem: của cấp mình ban hành, hoặc có đề nghị của "
            "đơn vị mình; mới nhất trước."
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Chi tiết quyết định"),
        description=gettext_lazy(
            "Quyết định và danh sách kèm theo; đơn vị chỉ thấy các dòng của đơn vị mình."
        ),
        responses={200: DecisionDetailSerializer, 404: REFUSED[404]},
    ),
)
class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Issued decisions (read only: a decision is corrected by a new decision, on the page)."""

    serializer_class = DecisionSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        return decisions_for_user(self.request.user)

    def retrieve(self, request: Request, pk: int) -> Response:
        decision = get_object_or_404(self.get_queryset(), pk=pk)
        decision.readable_entries = list(entries_for_user(request.user, decision))
        return Response(DecisionDetailSerializer(decision).data)
